package io.discoverygateway.client.e2e;

import java.util.Map;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * A Spring Boot application as a consumer writes one: the client starter on its class
 * path, a few properties, and a {@code @LoadBalanced} {@link RestClient} that calls
 * services by name.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ConsumerApplication {

    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClient() {
        return RestClient.builder();
    }

    static ConfigurableApplicationContext run(Map<String, Object> properties) {
        return new SpringApplicationBuilder(ConsumerApplication.class).web(WebApplicationType.NONE)
            .properties(Map.of("spring.main.banner-mode", "off", "spring.application.name", "consumer"))
            .properties(properties)
            .run();
    }

}

package io.discoverygateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

@SpringBootApplication
@EnableConfigurationProperties(GatewayProperties.class)
public class DiscoveryGatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(DiscoveryGatewayApplication.class, args);
    }

}

package io.discoverygateway.kubernetes;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Drops the ERROR lines with stack traces that the Kubernetes client logs when its
 * informers are stopped (it interrupts its own threads and reports each interrupt as an
 * error). Every other event of those loggers passes. Installed in code by
 * {@link Installer} (listed in {@code META-INF/spring.factories}) once Spring Boot has
 * set up logging, so that Boot's own logging configuration, structured logging included,
 * stays in charge.
 */
public final class InformerShutdownLogFilter extends TurboFilter {

    private static final String PACKAGE = "io.kubernetes.client.informer.cache.";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable throwable) {
        if (level == Level.ERROR && logger.getName().startsWith(PACKAGE) && isInterrupt(throwable, params)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean isInterrupt(Throwable throwable, Object[] params) {
        if (throwable instanceof InterruptedException) {
            return true;
        }
        if (params != null) {
            for (Object param : params) {
                if (param instanceof InterruptedException) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Adds the filter to Logback once Spring Boot has (re)initialised logging;
     * idempotent.
     */
    public static final class Installer implements ApplicationListener<ApplicationPreparedEvent> {

        @Override
        public void onApplicationEvent(ApplicationPreparedEvent event) {
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                    && context.getTurboFilterList().stream().noneMatch(InformerShutdownLogFilter.class::isInstance)) {
                InformerShutdownLogFilter filter = new InformerShutdownLogFilter();
                filter.setContext(context);
                filter.start();
                context.addTurboFilter(filter);
            }
        }

    }

}

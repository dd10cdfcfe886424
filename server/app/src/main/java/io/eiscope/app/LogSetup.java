package io.eiscope.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The server's logging, set from its options: everything logs through SLF4J (libraries that use
 * java.util.logging are bridged to it) into Logback, which writes text lines with key=value pairs
 * (logback.xml) or, with {@code --log-format json}, one JSON object per line with the pairs in
 * {@code kvpList}, for a log collector.
 */
final class LogSetup {
    private LogSetup() {}

    /** Applies {@code format} and {@code level} to the console log; call once, at start. */
    static void apply(ServerOptions.LogFormat format, String level) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger("io.eiscope").setLevel(Level.toLevel(level, Level.INFO));
        if (format == ServerOptions.LogFormat.JSON) {
            var appender = (OutputStreamAppender<ILoggingEvent>)
                    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("console");
            appender.stop();
            appender.setEncoder(jsonEncoder(context));
            appender.start();
        }
    }

    /** One JSON object per event: timestamp, level, thread, logger, formatted message, key=value pairs, throwable. */
    static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.setWithArguments(false);
        json.setWithMessage(false); // the formatted message says it all
        json.setWithFormattedMessage(true);
        json.start();
        return json;
    }
}

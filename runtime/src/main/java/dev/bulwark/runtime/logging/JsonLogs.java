package dev.bulwark.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Configures the process's logs: one JSON object per line, to standard error at {@code
 * consoleLevel} and, when a file is given, to it at {@code fileLevel} (rotated at 50 MB, five
 * compressed predecessors kept). Libraries that log through java.util.logging (the HTTP server
 * does) are routed through the same place.
 */
public final class JsonLogs {
  private JsonLogs() {}

  public static void configure(LogLevel consoleLevel, LogLevel fileLevel, Optional<Path> file) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(min(consoleLevel, fileLevel));

    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setTarget("System.err");
    console.setEncoder(encoder(context));
    console.addFilter(threshold(context, consoleLevel));
    console.start();
    root.addAppender(console);

    file.ifPresent(
        path -> {
          // Bounded on disk: 50 MB a file, the current one and 5 compressed predecessors.
          RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
          appender.setContext(context);
          appender.setName("file");
          appender.setFile(path.toString());
          appender.setAppend(true);
          FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
          rolling.setContext(context);
          rolling.setParent(appender);
          rolling.setFileNamePattern(path + ".%i.gz");
          rolling.setMinIndex(1);
          rolling.setMaxIndex(5);
          rolling.start();
          SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
          trigger.setContext(context);
          trigger.setMaxFileSize(FileSize.valueOf("50MB"));
          trigger.start();
          appender.setRollingPolicy(rolling);
          appender.setTriggeringPolicy(trigger);
          appender.setEncoder(encoder(context));
          appender.addFilter(threshold(context, fileLevel));
          appender.start();
          root.addAppender(appender);
        });
    // Third-party chatter stays at WARN unless asked for: it is rarely what an operator needs.
    for (String noisy :
        new String[] {"io.helidon", "org.flywaydb", "com.zaxxer.hikari", "h2database"}) {
      context.getLogger(noisy).setLevel(Level.WARN);
    }
  }

  private static JsonEncoder encoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithArguments(false);
    encoder.setWithMessage(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }

  private static ThresholdFilter threshold(LoggerContext context, LogLevel level) {
    ThresholdFilter filter = new ThresholdFilter();
    filter.setContext(context);
    filter.setLevel(level.name());
    filter.start();
    return filter;
  }

  private static Level min(LogLevel a, LogLevel b) {
    return Level.toLevel(a.ordinal() <= b.ordinal() ? a.name() : b.name());
  }

  /** Log levels, most verbose first. */
  public enum LogLevel {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR,
    OFF;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}

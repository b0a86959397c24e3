package dev.bulwark.bench;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.emit.AuditEmitter;
import dev.bulwark.audit.emit.AuditEmitterStats;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code AuditEmitter.record} costs the calling request thread, with a transport that
 * acknowledges at once (so the figure is the emitter's own cost: the buffer slot, the queue, the
 * sender's wake-up), from one thread and from four at once; beside it, building the event, which
 * callers pay too. The drops counted at tear-down show whether the sender kept up (a dropped event
 * costs less than a buffered one, so a run with many drops reads low).
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am -DskipTests package && java -jar
 * bench/target/benchmarks.jar AuditEmitterBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuditEmitterBenchmark {
  private AuditEmitter emitter;
  private AuditEvent event;

  @Setup(Level.Trial)
  public void setUp() {
    emitter = AuditEmitter.builder(batch -> {}).name("bench").build();
    event =
        AuditEvent.builder("gateway", "http.response", AuditEvent.Outcome.SUCCESS)
            .subject("alice")
            .sourceAddress("192.0.2.10")
            .resource("GET /v1/payments")
            .attribute("status", "200")
            .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    emitter.close();
    AuditEmitterStats stats = emitter.stats();
    System.out.printf(
        "%n  emitted %,d, delivered %,d, dropped %,d%n",
        stats.emitted(), stats.delivered(), stats.dropped());
  }

  @Benchmark
  public void record() {
    emitter.record(event);
  }

  @Benchmark
  @Threads(4)
  public void recordFromFourThreads() {
    emitter.record(event);
  }

  @Benchmark
  public AuditEvent buildEvent() {
    return AuditEvent.builder("gateway", "http.response", AuditEvent.Outcome.SUCCESS)
        .subject("alice")
        .sourceAddress("192.0.2.10")
        .resource("GET /v1/payments")
        .attribute("status", "200")
        .build();
  }
}

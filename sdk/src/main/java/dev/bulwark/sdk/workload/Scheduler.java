package dev.bulwark.sdk.workload;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs a workload identity's renewals and refreshes one after another. Tests substitute a scheduler
 * driven by their own clock, so nothing waits for real time.
 */
interface Scheduler {
  /** Runs {@code task} after {@code delay}; the handle cancels it. */
  Task schedule(Runnable task, Duration delay);

  /** Stops: nothing scheduled runs any more, and a task running now is interrupted. */
  void shutdown();

  /** A scheduled task. */
  @FunctionalInterface
  interface Task {
    /** Keeps the task from running, if it has not started. */
    void cancel();
  }

  /** One daemon thread called {@code threadName}. */
  static Scheduler daemon(String threadName) {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, threadName);
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return new Scheduler() {
      @Override
      public Task schedule(Runnable task, Duration delay) {
        try {
          ScheduledFuture<?> future =
              executor.schedule(task, saturatedNanos(delay), TimeUnit.NANOSECONDS);
          return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
          // Shut down: the identity is closing and nothing more needs to run.
          return () -> {};
        }
      }

      @Override
      public void shutdown() {
        executor.shutdownNow();
      }
    };
  }

  private static long saturatedNanos(Duration delay) {
    if (delay.isNegative()) {
      return 0;
    }
    try {
      return delay.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}

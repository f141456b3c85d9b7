package dev.attn4j.selector;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A provider's call that may never return (a driver that hangs in its init), run on a daemon thread
 * of its own and waited for at most a bounded time. Whatever it throws, errors included, comes back
 * as the failure; when it outlives the wait, the caller moves on and {@code late} receives the result
 * whenever it comes (so a backend opened too late is still closed).
 */
final class BoundedCall {
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** What became of the call: a value, a failure, or no answer in time. */
    record Result<T>(T value, Throwable failure, boolean timedOut) {
    }

    private BoundedCall() {
    }

    /** Starts {@code body} on a new daemon thread named after {@code what}. */
    static <T> CompletableFuture<T> start(String what, Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(body.call());
            } catch (Throwable e) { // a provider's call may throw anything: it becomes the failure
                f.completeExceptionally(e);
            }
        }, "attn4j-" + what + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** Waits for {@code f} at most {@code limit}; after a timeout {@code late} gets the value if one comes. */
    static <T> Result<T> await(CompletableFuture<T> f, Duration limit, Consumer<T> late) {
        try {
            return new Result<>(f.get(limit.toNanos(), TimeUnit.NANOSECONDS), null, false);
        } catch (ExecutionException e) {
            return new Result<>(null, e.getCause() != null ? e.getCause() : e, false);
        } catch (TimeoutException e) {
            f.thenAccept(late);
            return new Result<>(null, null, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.thenAccept(late);
            return new Result<>(null, e, false);
        }
    }

    /** {@code start} then {@code await}. */
    static <T> Result<T> run(String what, Duration limit, Callable<T> body, Consumer<T> late) {
        return await(start(what, body), limit, late);
    }

    /** e.g. {@code 60 s} or {@code 200 ms}. */
    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}

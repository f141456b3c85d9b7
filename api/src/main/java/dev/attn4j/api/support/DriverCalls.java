package dev.attn4j.api.support;

/**
 * A device backend that counts the driver calls which block the host or allocate, reachable with
 * {@code backend.unwrap(DriverCalls.class)}: what a decode step loop (plan once, then append and
 * attention per layer) must stop issuing once its sizes are known. The TCK's step-loop test reads
 * it; an engine can log it to find where a step waits.
 */
public interface DriverCalls {

    /** The calls issued since the backend opened. */
    Counts driverCalls();

    /**
     * @param synchronizes stream, context and event synchronizes (each blocks the calling thread
     *                     until queued device work is done)
     * @param allocations  device and pinned-host allocations
     */
    record Counts(long synchronizes, long allocations) {

        /** The calls issued between {@code earlier} and this count. */
        public Counts since(Counts earlier) {
            return new Counts(synchronizes - earlier.synchronizes, allocations - earlier.allocations);
        }
    }
}

package dev.attn4j.cli;

import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.CandidateReport;
import dev.attn4j.selector.ProbeCache;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every provider on the class path with its probe result. Probes go through {@link ProbeCache}, the
 * cache selection itself uses, so a report never probes a driver twice and never throws.
 */
final class Probes {
    private Probes() {
    }

    /** One provider and what its probe found. */
    record ProviderProbe(AttentionBackendProvider provider, Availability availability) {
        String name() {
            return provider.name();
        }
    }

    /** All providers (ServiceLoader), highest priority first, then by name: the selector's order. */
    static List<ProviderProbe> all() {
        return BackendSelector.builder().build().providers().values().stream()
                .sorted(Comparator.comparingInt(AttentionBackendProvider::priority).reversed()
                        .thenComparing(AttentionBackendProvider::name))
                .map(p -> new ProviderProbe(p, ProbeCache.probe(p)))
                .collect(Collectors.toList());
    }

    /** Providers found that cannot be used (a class that failed to load, another SPI version), with why. */
    static List<CandidateReport> rejected() {
        return BackendSelector.builder().build().rejected();
    }

    /** The device a backend of this name runs on (its probe's device 0), for benchmark reports. */
    static String deviceName(String backend) {
        return all().stream().filter(p -> p.name().equals(backend)).findFirst()
                .flatMap(p -> p.availability().devices().stream().findFirst())
                .map(Probes::describe)
                .orElse(backend);
    }

    /** e.g. {@code #0 NVIDIA H100 80GB HBM3 (79.1 GiB)}. */
    static String describe(DeviceInfo d) {
        String mem = d.memoryBytes() > 0 ? String.format(java.util.Locale.ROOT, ", %.1f GiB", d.memoryBytes() / (double) (1L << 30)) : "";
        return "#" + d.index() + " " + d.vendor() + " " + d.name() + mem
                + (d.details().isEmpty() ? "" : " " + new java.util.TreeMap<>(d.details()));
    }
}

package dev.attn4j.conformance;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.BackendOptions;

import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closes an object on one thread while another thread runs with it, many times: a plan, the query,
 * the output, the cache, during a decode or an append. Every run must either complete or be rejected
 * with {@code InvalidRequestException} (its argument is closed); what it must never do is read freed native memory,
 * which on a GPU backend crashes the JVM. So it runs in a JVM of its own ({@link #main}) and a test
 * asserts that JVM exited normally.
 */
public final class CloseRace {
    static final KvCacheSpec SPEC = new KvCacheSpec(16, 16, 2, 64, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD);
    static final int QO_HEADS = 8;
    static final int KV_LEN = 200;

    /** What the rounds did. */
    public record Report(int rounds, int completed, int rejected) {
        @Override
        public String toString() {
            return "survived " + rounds + " rounds: " + completed + " runs completed, " + rejected
                    + " rejected because their argument was closed";
        }
    }

    private CloseRace() {
    }

    /**
     * Opens the provider named by {@code args[0]} with {@code key=value} backend options from the other
     * arguments, races {@code -Dattn4j.race.rounds} rounds (default 300) and prints the report.
     */
    public static void main(String[] args) throws Exception {
        AttentionBackendProvider provider = (AttentionBackendProvider) Class.forName(args[0])
                .getConstructor().newInstance();
        BackendOptions.Builder options = BackendOptions.builder();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            options.property(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try (AttentionBackend backend = provider.open(options.build())) {
            System.out.println(run(backend, Integer.getInteger("attn4j.race.rounds", 300), 42));
        }
        System.exit(0);
    }

    /** How a forked race ended: the JVM's exit code (0 after the report; a crash is 134 or 139) and its output. */
    public record Forked(int exitCode, String output) {
        /** Whether the JVM survived every round. */
        public boolean survived() {
            return exitCode == 0 && output.contains("survived ");
        }
    }

    /**
     * Runs {@link #main} in a new JVM on this JVM's class path and environment (a crash there must
     * not take the test JVM along), with {@code options} as backend options and system properties;
     * waits at most 10 minutes.
     */
    public static Forked inFreshJvm(Class<? extends AttentionBackendProvider> provider, int rounds,
                                    java.util.Map<String, String> options) throws java.io.IOException, InterruptedException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dattn4j.race.rounds=" + rounds));
        options.forEach((k, v) -> cmd.add("-D" + k + "=" + v));   // as system properties too: probes read them
        cmd.addAll(java.util.List.of("-cp", classPath(), CloseRace.class.getName(), provider.getName()));
        options.forEach((k, v) -> cmd.add(k + "=" + v));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                out.append("(output lost: ").append(e).append(')');
            }
        });
        reader.start();
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        reader.join();
        return new Forked(p.exitValue(), out.toString());
    }

    /**
     * This JVM's class path as the classes see it: the URLs of the class loaders above this class
     * (JUnit's console launcher, as the GPU host's pack runs the tests, loads them from one) and
     * {@code java.class.path}.
     */
    static String classPath() {
        java.util.LinkedHashSet<String> entries = new java.util.LinkedHashSet<>();
        for (ClassLoader l = CloseRace.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof java.net.URLClassLoader u) {
                for (java.net.URL url : u.getURLs()) {
                    try {
                        entries.add(java.nio.file.Path.of(url.toURI()).toString());
                    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                        entries.add(url.getPath());
                    }
                }
            }
        }
        entries.addAll(java.util.List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Races {@code rounds} times on {@code backend}; throws if a run fails other than by rejection. */
    public static Report run(AttentionBackend backend, int rounds, long seed) throws InterruptedException {
        Random rnd = new Random(seed);
        int completed = 0;
        int rejected = 0;
        int[][] blocks = {{3, 7, 1, 12, 9, 0, 2, 5, 6, 4, 8, 10, 11}};
        int[] slots = new int[KV_LEN];
        for (int p = 0; p < KV_LEN; p++) {
            slots[p] = blocks[0][p / SPEC.blockSize()] * SPEC.blockSize() + p % SPEC.blockSize();
        }
        short[] kv = new short[KV_LEN * SPEC.numKvHeads() * SPEC.headDim()];
        for (int i = 0; i < kv.length; i++) {
            kv[i] = dev.attn4j.api.numeric.Bf16.fromFloat((float) rnd.nextGaussian());
        }
        PlanRequest request = PlanRequest.decode(AttentionShape.of(SPEC, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {KV_LEN}, blocks));
        try (Tensor k = backend.allocate(DType.BF16, KV_LEN, SPEC.numKvHeads(), SPEC.headDim());
             Tensor v = backend.allocate(DType.BF16, KV_LEN, SPEC.numKvHeads(), SPEC.headDim())) {
            k.copyFrom(kv);
            v.copyFrom(kv);
            KvCache cache = backend.createKvCache(SPEC);
            backend.append(cache, k, v, slots);
            Tensor query = backend.allocate(DType.BF16, 1, QO_HEADS, SPEC.headDim());
            Tensor out = backend.allocate(DType.BF16, 1, QO_HEADS, SPEC.headDim());
            for (int round = 0; round < rounds; round++) {
                Plan plan = backend.plan(request);
                // Mostly the plan (the repro); every few rounds the query, the output or the
                // cache, during a decode or an append. The victim is closed by a thread started just
                // before the call, so the close lands anywhere in it: in its checks, between them and
                // the launch, or after.
                int kind = round % 8;
                AutoCloseable victim = kind < 5 ? plan : kind == 5 ? query : kind == 6 ? out : cache;
                boolean append = kind == 7 && rnd.nextBoolean();
                AtomicReference<Throwable> closeFailed = new AtomicReference<>();
                Thread closer = new Thread(() -> {
                    try {
                        victim.close();
                    } catch (Throwable t) {
                        closeFailed.set(t);
                    }
                }, "attn4j-close-race");
                closer.start();
                for (int i = 0; i < 2; i++) {
                    try {
                        if (append) {
                            backend.append(cache, k, v, slots);
                        } else {
                            backend.run(plan, query, cache, out);
                        }
                        completed++;
                    } catch (InvalidRequestException e) {   // "... is closed": anything else is a failure
                        rejected++;
                    }
                }
                closer.join();
                if (closeFailed.get() != null) {
                    throw new IllegalStateException("close threw", closeFailed.get());
                }
                plan.close();
                if (query.isClosed()) {
                    query = backend.allocate(DType.BF16, 1, QO_HEADS, SPEC.headDim());
                }
                if (out.isClosed()) {
                    out = backend.allocate(DType.BF16, 1, QO_HEADS, SPEC.headDim());
                }
                if (cache.isClosed()) {
                    cache = backend.createKvCache(SPEC);
                    backend.append(cache, k, v, slots);
                }
            }
            backend.synchronize();
            query.close();
            out.close();
            cache.close();
        }
        return new Report(rounds, completed, rejected);
    }
}

package dev.attn4j.conformance;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Tensor;
import dev.attn4j.conformance.BadInputSuite.BadInputCase;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Random invalid calls over the public API, for property tests: each draw picks a method (allocate,
 * upload, wrap, copy, a tensor's host copies, createKvCache, append, plan, prefill, decode, the
 * options, the cache spec) and one argument to spoil, with a random bad value: a null, a dimension
 * out of range, an overflowing size, a slot or block id off the cache, a repeated one, a closed or foreign object, a
 * mismatched shape or dtype. {@link BadInputSuite#check} then runs it against the fixture: it must
 * throw {@link InvalidRequestException} whose message starts with the spoiled field and its value,
 * and leave every byte of the cache, the outputs and the inputs as they were.
 */
public final class HostileCalls {
    private static final int KINDS = 22;

    private HostileCalls() {
    }

    /**
     * {@code count} random invalid calls drawn from {@code seed}, for backends tested without jqwik
     * (the device backends): case {@code i} is {@link #random} of {@code new Random(seed + i)}, so a
     * failing name reproduces alone.
     */
    public static java.util.List<BadInputCase> cases(long seed, int count) {
        java.util.List<BadInputCase> out = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            BadInputCase c = random(new Random(seed + i));
            out.add(new BadInputCase("#" + i + " (seed " + (seed + i) + "): " + c.name(), c.expected(), c.message(), c.action()));
        }
        return out;
    }

    /** One random invalid call. */
    public static BadInputCase random(Random r) {
        int kind = r.nextInt(KINDS);
        switch (kind) {
            case 0 -> {
                int[] shape = dims(r);
                int at = r.nextInt(shape.length);
                shape[at] = -r.nextInt(1 << 20);
                return invalid("allocate with shape " + Arrays.toString(shape), "shape[" + at + "]=" + shape[at],
                        f -> f.backend.allocate(dtype(r), shape));
            }
            case 1 -> {
                int[] shape = {Integer.MAX_VALUE - r.nextInt(1000), Integer.MAX_VALUE - r.nextInt(1000),
                        1 << (2 + r.nextInt(29))};
                return invalid("allocate " + Arrays.toString(shape) + " (size overflows)", "shape=" + Arrays.toString(shape),
                        f -> f.backend.allocate(DType.FP32, shape));
            }
            case 2 -> {
                int n = 1 + r.nextInt(64);
                int have = n * 2 + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(n));
                return invalid("upload " + have + " bytes into BF16[" + n + "]", "data.remaining=" + have,
                        f -> f.backend.upload(DType.BF16, new int[] {n}, ByteBuffer.allocate(have)));
            }
            case 3 -> {
                int j = r.nextInt(3);
                int bad = r.nextBoolean() ? BadInputSuite.SPEC.numSlots() + r.nextInt(1 << 20) : -2 - r.nextInt(1 << 20);
                return invalid("append slot " + bad, "slots[" + j + "]=" + bad, f -> {
                    int[] slots = f.slots.clone();
                    slots[j] = bad;
                    f.backend.append(f.cache, f.keys, f.values, slots);
                });
            }
            case 4 -> {
                int s = r.nextInt(BadInputSuite.SPEC.numSlots());
                return invalid("append slot " + s + " twice", "slots[2]=" + s,
                        f -> f.backend.append(f.cache, f.keys, f.values, new int[] {-1, s, s}));
            }
            case 5 -> {
                int heads = BadInputSuite.SPEC.numKvHeads() + 1 + r.nextInt(4);
                return invalid("append keys of " + heads + " heads", "keys.shape=[3, " + heads + ", 16]",
                        f -> f.backend.append(f.cache, f.halves(3, heads, BadInputSuite.SPEC.headDim()), f.values, f.slots));
            }
            case 6 -> {
                int j = r.nextInt(2);
                int bad = r.nextBoolean() ? BadInputSuite.SPEC.numBlocks() + r.nextInt(1 << 20) : -1 - r.nextInt(1 << 20);
                return invalid("plan with block id " + bad, "batch.sequence[0].blockIds[" + j + "]=" + bad, f -> {
                    int[] ids = {1, 3};
                    ids[j] = bad;
                    f.backend.plan(f.prefill(BatchLayout.of(new int[] {2}, new int[] {6}, new int[][] {ids})));
                });
            }
            case 7 -> {
                int kv = 1 + r.nextInt(8);
                int q = kv + 1 + r.nextInt(100);
                return invalid("plan qLen " + q + " over kvLen " + kv, "batch.sequence[0].qLen=" + q,
                        f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {q}, new int[] {kv}, new int[][] {{1, 3}}))));
            }
            case 8 -> {
                int kv = 9 + r.nextInt(1000);
                return invalid("plan kvLen " + kv + " over two blocks", "batch.sequence[0].kvLen=" + kv,
                        f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {1}, new int[] {kv}, new int[][] {{1, 3}}))));
            }
            case 9 -> {
                int heads = 2 * (1 + r.nextInt(50)) + 1;   // odd: no multiple of numKvHeads = 2
                return invalid("plan with " + heads + " query heads", "numQoHeads=" + heads,
                        f -> f.backend.plan(PlanRequest.prefill(AttentionShape.of(BadInputSuite.SPEC, heads, DType.BF16, AttentionOptions.CAUSAL), BadInputSuite.Fixture.validPrefill())));
            }
            case 10 -> {
                int tokens = 3 + r.nextInt(20);
                return invalid("prefill with a query of " + tokens + " tokens", "query.shape=[" + tokens + ", ",
                        f -> f.backend.run(f.prefillPlan, f.halves(tokens, BadInputSuite.QO_HEADS,
                                BadInputSuite.SPEC.headDim()), f.cache, f.out));
            }
            case 11 -> {
                boolean decodeTensors = r.nextBoolean();   // one plan run with the other step's tensors
                return invalid(decodeTensors ? "a prefill plan with a decode's tensors" : "a decode plan with a prefill's tensors",
                        "query.shape=", f -> {
                            if (decodeTensors) {
                                f.backend.run(f.prefillPlan, f.decodeQuery, f.cache, f.decodeOut);
                            } else {
                                f.backend.run(f.decodePlan, f.query, f.cache, f.out);
                            }
                        });
            }
            case 12 -> {
                int rows = 3 + r.nextInt(10);
                return invalid("prefill with an LSE of " + rows + " rows", "lse.shape=[" + rows + ", ",
                        f -> f.backend.run(f.prefillPlan, f.query, f.cache, f.out, f.floats(rows, BadInputSuite.QO_HEADS)));
            }
            case 13 -> {
                float[] bads = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -r.nextFloat() - 1e-3f};
                float bad = bads[r.nextInt(bads.length)];
                int i = r.nextInt(2);
                return invalid("HEAD scale " + bad, "kScales[" + i + "]=" + bad, f -> {
                    float[] k = {0.1f, 0.1f};
                    k[i] = bad;
                    f.backend.createKvCache(new dev.attn4j.api.KvCacheSpec(8, 4, 2, 16, dev.attn4j.api.KvDType.INT8,
                            dev.attn4j.api.ScaleGranularity.HEAD, dev.attn4j.api.KvLayout.NHD),
                            KvScales.of(k, new float[] {0.1f, 0.1f}));
                });
            }
            case 14 -> {
                return nullArgument(r);
            }
            case 15 -> {
                int have = r.nextBoolean() ? 1 + r.nextInt(255) : 257 + r.nextInt(100);   // the query has 256 bytes
                return invalid("copyFromHost of " + have + " bytes", "src.remaining=" + have,
                        f -> f.query.copyFromHost(ByteBuffer.allocate(have)));
            }
            case 16 -> {
                int tokens = 3 + r.nextInt(5);
                return invalid("copy between shapes", "dst.shape=[" + tokens + ", ",
                        f -> f.backend.copy(f.query, f.halves(tokens, BadInputSuite.QO_HEADS, BadInputSuite.SPEC.headDim())));
            }
            case 17 -> {
                double cap = r.nextBoolean() ? Math.pow(10, 39 + r.nextInt(200)) : Double.MIN_VALUE * (1 + r.nextInt(1000));
                return invalid("soft-cap " + cap, "options.softCap=" + cap, f -> AttentionOptions.builder().softCap(cap));
            }
            case 18 -> {
                boolean closePlan = r.nextBoolean();
                return invalid(closePlan ? "decode with a closed plan" : "decode into a closed output",
                        closePlan ? "plan=closed" : "out=", f -> {
                            Plan p = f.backend.plan(PlanRequest.decode(AttentionShape.of(BadInputSuite.SPEC, BadInputSuite.QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {6}, new int[][] {{1, 3}})));
                            Tensor out = f.backend.allocate(DType.BF16, 1, BadInputSuite.QO_HEADS, BadInputSuite.SPEC.headDim());
                            if (closePlan) {
                                p.close();
                            } else {
                                out.close();
                            }
                            try {
                                f.backend.run(p, f.decodeQuery, f.cache, out);
                            } finally {
                                p.close();
                                out.close();
                            }
                        });
            }
            case 19 -> {
                int have = r.nextInt(256);   // the query has 256 bytes
                return invalid("copyToHost into " + have + " bytes", "dst.remaining=" + have,
                        f -> f.query.copyToHost(ByteBuffer.allocate(have)));
            }
            case 20 -> {
                String[] fields = {"numBlocks", "blockSize", "numKvHeads", "headDim"};
                int at = r.nextInt(fields.length);
                int bad = -r.nextInt(1 << 20);
                int[] v = {8, 4, 2, 16};
                v[at] = bad;
                return invalid("cache spec with " + fields[at] + " " + bad, fields[at] + "=" + bad,
                        f -> f.backend.createKvCache(new dev.attn4j.api.KvCacheSpec(v[0], v[1], v[2], v[3],
                                dev.attn4j.api.KvDType.INT8, dev.attn4j.api.ScaleGranularity.TOKEN,
                                dev.attn4j.api.KvLayout.NHD)));
            }
            default -> {
                int first = r.nextInt(2);
                return invalid("plan repeating block " + (first == 0 ? 1 : 3), "batch.sequence[0].blockIds[2]=",
                        f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {2}, new int[] {10},
                                new int[][] {{1, 3, first == 0 ? 1 : 3}}))));
            }
        }
    }

    /** A null where a method needs an object: every such argument must be named, never an NPE. */
    private static BadInputCase nullArgument(Random r) {
        int which = r.nextInt(12);
        return switch (which) {
            case 0 -> invalid("allocate(null dtype)", "dtype=null", f -> f.backend.allocate(null, 4));
            case 1 -> invalid("allocate(null shape)", "shape=null", f -> f.backend.allocate(DType.BF16, (int[]) null));
            case 2 -> invalid("wrap(null)", "memory=null", f -> f.backend.wrap(null, DType.BF16, 4));
            case 3 -> invalid("createKvCache(null spec)", "spec=null", f -> f.backend.createKvCache(null));
            case 4 -> invalid("append(null cache)", "cache=null", f -> f.backend.append(null, f.keys, f.values, f.slots));
            case 5 -> invalid("append(null slots)", "slots=null", f -> f.backend.append(f.cache, f.keys, f.values, null));
            case 6 -> invalid("plan(null)", "request=null", f -> f.backend.plan(null));
            case 7 -> invalid("decode(null query)", "query=null",
                    f -> f.backend.run(f.decodePlan, null, f.cache, f.decodeOut));
            case 8 -> invalid("copy(null, dst)", "src=null", f -> f.backend.copy(null, f.out));
            case 9 -> invalid("copyFromHost(null)", "src=null", f -> f.query.copyFromHost(null));
            case 10 -> invalid("BatchLayout.of(null kvLens)", "batch.kvLens=null",
                    f -> BatchLayout.of(new int[] {1}, null, new int[][] {{1}}));
            default -> invalid("hostBuffer(null)", "buffer=null", f -> ExternalMemory.hostBuffer(null));
        };
    }

    private static int[] dims(Random r) {
        int[] d = new int[1 + r.nextInt(4)];
        for (int i = 0; i < d.length; i++) {
            d[i] = 1 + r.nextInt(8);
        }
        return d;
    }

    private static DType dtype(Random r) {
        DType[] all = DType.values();
        return all[r.nextInt(all.length)];
    }

    private static BadInputCase invalid(String name, String message, BadInputSuite.Action a) {
        return new BadInputCase(name, InvalidRequestException.class, message, a);
    }
}

package dev.attn4j.conformance.accuracy;

import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCalibration;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.ScaleGranularity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One way to store K and V: a dtype, a scale granularity and, for caller-set scales, where the
 * scales come from: {@code 1.0} (what a host that never calibrates passes), {@code absmax} or a
 * percentile ({@link KvCalibration}) of the calibration samples.
 *
 * @param scales {@code null} for 16-bit and dynamic (TOKEN, TOKEN_GROUP) formats, else
 *               {@code "1.0"}, {@code "absmax"} or {@code "p99.9"}-style
 */
public record KvFormat(KvDType dtype, ScaleGranularity granularity, String scales) {
    /** The percentile calibration the report lists beside absmax. */
    public static final double PERCENTILE = 99.9;
    /** The TOKEN_GROUP group size the report lists. */
    public static final int GROUP = 32;

    public KvFormat {
        if (granularity.isCallerSet() != (scales != null)) {
            throw new InvalidRequestException("scales", scales, "caller-set granularities (TENSOR, HEAD, CHANNEL) "
                    + "need a scale source (1.0, absmax, pNN); others take none; granularity=" + granularity);
        }
        if (scales != null) {
            calibration(scales);   // validates
        }
    }

    /**
     * Every format the report compares at a head dim: bf16, fp16, and for int8, fp8-e4m3 and
     * fp8-e5m2: TENSOR, HEAD and CHANNEL scales each at 1.0, absmax and p99.9, TOKEN, and
     * TOKEN_GROUP(32) where 32 divides the head dim.
     */
    public static List<KvFormat> all(int headDim) {
        List<KvFormat> list = new ArrayList<>();
        list.add(new KvFormat(KvDType.BF16, ScaleGranularity.NONE, null));
        list.add(new KvFormat(KvDType.FP16, ScaleGranularity.NONE, null));
        String percentile = "p" + PERCENTILE;
        for (KvDType d : new KvDType[] {KvDType.INT8, KvDType.FP8_E4M3, KvDType.FP8_E5M2}) {
            for (ScaleGranularity g : new ScaleGranularity[] {ScaleGranularity.TENSOR, ScaleGranularity.HEAD,
                ScaleGranularity.CHANNEL}) {
                for (String s : new String[] {"1.0", "absmax", percentile}) {
                    list.add(new KvFormat(d, g, s));
                }
            }
            list.add(new KvFormat(d, ScaleGranularity.TOKEN, null));
            if (headDim % GROUP == 0 && headDim > GROUP) {
                list.add(new KvFormat(d, ScaleGranularity.tokenGroup(GROUP), null));
            }
        }
        return list;
    }

    /**
     * Parses {@code dtype[/granularity[/scales]]}: {@code bf16}, {@code int8/token},
     * {@code fp8-e4m3/tensor/absmax}, {@code int8/channel/p99.9}; caller-set granularities default
     * to absmax.
     */
    public static KvFormat parse(String text) {
        String[] p = text.trim().split("/");
        if (p.length > 3) {
            throw new InvalidRequestException("format", text, "expected dtype[/granularity[/scales]]");
        }
        KvDType d = KvDType.parse(p[0]);
        ScaleGranularity g = p.length > 1 ? ScaleGranularity.parse(p[1])
                : d.isQuantized() ? ScaleGranularity.TOKEN : ScaleGranularity.NONE;
        String s = p.length > 2 ? p[2].trim().toLowerCase(Locale.ROOT) : g.isCallerSet() ? "absmax" : null;
        return new KvFormat(d, g, s);
    }

    private static KvCalibration calibration(String scales) {
        if (scales.equals("absmax")) {
            return KvCalibration.absmax();
        }
        if (scales.equals("1.0")) {
            return null;
        }
        if (scales.startsWith("p")) {
            try {
                return KvCalibration.percentile(Double.parseDouble(scales.substring(1)));
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
        }
        throw new InvalidRequestException("scales", scales, "expected 1.0, absmax or pNN (a percentile, e.g. p99.9)");
    }

    /** The scales a cache of this format is created with, from the data's calibration samples. */
    public KvScales scalesFor(AccuracyData data) {
        if (scales == null) {
            return KvScales.none();
        }
        KvCalibration c = calibration(scales);
        if (c == null) {
            int n = granularity.callerScaleCount(data.numKvHeads(), data.headDim());
            float[] ones = new float[n];
            java.util.Arrays.fill(ones, 1f);
            return KvScales.of(ones, ones);
        }
        return c.scales(dtype, granularity, data.numKvHeads(), data.headDim(),
                AccuracyData.floats(data.calibrationKeys()), AccuracyData.floats(data.calibrationValues()));
    }

    /** Bytes one token of one layer takes: K and V codes of every KV head plus their dynamic scales. */
    public long bytesPerToken(int numKvHeads, int headDim) {
        long codes = (long) headDim * dtype.storage().byteSize();
        long scalesBytes = 4L * granularity.dynamicScalesPerHead(headDim);
        return 2L * numKvHeads * (codes + scalesBytes);
    }

    /** {@code int8/channel/absmax}, {@code fp8-e4m3/token}, {@code bf16}. */
    public String id() {
        String d = dtype.name().toLowerCase(Locale.ROOT).replace('_', '-');
        if (!dtype.isQuantized()) {
            return d;
        }
        String g = granularity.toString().toLowerCase(Locale.ROOT);
        return d + "/" + g + (scales != null ? "/" + scales : "");
    }

    @Override
    public String toString() {
        return id();
    }
}

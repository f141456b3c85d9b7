package dev.attn4j.cli;

import dev.attn4j.api.InvalidRequestException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a NumPy {@code .npy} file (format versions 1-3, C order, little-endian float16, float32 or
 * float64), what {@code numpy.save} writes, so a user can hand {@code attn4j accuracy} the K, V and
 * queries of their own model: {@code np.save("k.npy", k.float().cpu().numpy())}.
 */
final class NpyFile {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** The array's shape and its elements in C order. */
    record Array(int[] shape, double[] data) {
    }

    private NpyFile() {
    }

    /**
     * @param option the command-line option the file came from, named in every error
     * @throws InvalidRequestException naming {@code option} when the file is unreadable or not a
     *         supported {@code .npy}
     */
    static Array read(String option, Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidRequestException(option, file, "cannot read: " + e.getMessage());
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new InvalidRequestException(option, file, "not a .npy file (no \\x93NUMPY magic)");
        }
        int major = bytes[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            start = 12;
        } else {
            throw new InvalidRequestException(option, file, ".npy format version " + major + " is not supported (1-3 are)");
        }
        if (headerLen < 0 || start + headerLen > bytes.length) {
            throw new InvalidRequestException(option, file, "truncated .npy header");
        }
        String header = new String(bytes, start, headerLen, StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, option, file, "descr");
        if ("True".equals(group(FORTRAN, header, option, file, "fortran_order"))) {
            throw new InvalidRequestException(option, file, "Fortran-ordered arrays are not supported; save a C-ordered one");
        }
        int[] shape = Arrays.stream(group(SHAPE, header, option, file, "shape").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long count = 1;
        for (int n : shape) {
            count *= n;
        }
        int size;
        switch (descr) {
            case "<f2": size = 2; break;
            case "<f4": size = 4; break;
            case "<f8": size = 8; break;
            default:
                throw new InvalidRequestException(option, file, "dtype " + descr
                        + " is not supported: save float16, float32 or float64 (bfloat16: convert with .float() first)");
        }
        int dataStart = start + headerLen;
        if (count > Integer.MAX_VALUE || bytes.length - dataStart != count * size) {
            throw new InvalidRequestException(option, file, "holds " + (bytes.length - dataStart) + " data bytes; shape "
                    + Arrays.toString(shape) + " of " + descr + " needs " + count * size);
        }
        double[] data = new double[(int) count];
        for (int i = 0; i < data.length; i++) {
            int at = dataStart + i * size;
            data[i] = size == 8 ? b.getDouble(at) : size == 4 ? b.getFloat(at)
                    : dev.attn4j.api.numeric.HalfFormat.toFloat(dev.attn4j.api.DType.FP16, b.getShort(at));
        }
        return new Array(shape, data);
    }

    private static String group(Pattern p, String header, String option, Path file, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new InvalidRequestException(option, file, ".npy header has no '" + key + "': " + header.trim());
        }
        return m.group(1);
    }
}

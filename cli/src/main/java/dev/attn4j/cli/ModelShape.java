package dev.attn4j.cli;

import dev.attn4j.api.InvalidRequestException;
import picocli.CommandLine.ITypeConverter;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The attention shapes of the models {@code bench} knows (per layer: query heads, KV heads, head
 * dim, soft-cap), from the models' published configs. Only the attention shape matters to a
 * kernel's speed; layer count and hidden size do not.
 */
enum ModelShape {
    LLAMA3_8B("llama3-8b", 32, 8, 128, 0),
    LLAMA3_70B("llama3-70b", 64, 8, 128, 0),
    MISTRAL_7B("mistral-7b", 32, 8, 128, 0),
    QWEN2_7B("qwen2-7b", 28, 4, 128, 0),
    /** Gemma 2 caps attention logits at 50 (its sliding-window layers are not modelled). */
    GEMMA2_9B("gemma2-9b", 16, 8, 256, 50);

    final String id;
    final int numQoHeads;
    final int numKvHeads;
    final int headDim;
    final double softCap;

    ModelShape(String id, int numQoHeads, int numKvHeads, int headDim, double softCap) {
        this.id = id;
        this.numQoHeads = numQoHeads;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.softCap = softCap;
    }

    static ModelShape parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (ModelShape m : values()) {
            if (m.id.equals(t)) {
                return m;
            }
        }
        throw new InvalidRequestException("model", text, "unknown model; valid: " + names());
    }

    static String names() {
        return Arrays.stream(values()).map(m -> m.id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }

    /** picocli: {@code --model llama3-70b}. */
    static final class Converter implements ITypeConverter<ModelShape> {
        @Override
        public ModelShape convert(String value) {
            return parse(value);
        }
    }

    /** picocli: the values listed in {@code --help}. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(m -> m.id).iterator();
        }
    }
}

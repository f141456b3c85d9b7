package dev.attn4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal JSON writer (objects keep insertion order), so the CLI's {@code --json} output needs no
 * JSON library in the fat jar. Non-finite numbers are written as {@code null}: JSON has no NaN.
 */
final class Json {
    private Json() {
    }

    static Obj object() {
        return new Obj();
    }

    static Array array() {
        return new Array();
    }

    /** A JSON object under construction. */
    static final class Obj {
        private final Map<String, String> fields = new LinkedHashMap<>();

        Obj put(String key, Object value) {
            fields.put(key, render(value));
            return this;
        }

        /** Adds text that is already JSON (e.g. {@code SelectionReport.json()}). */
        Obj putRaw(String key, String json) {
            fields.put(key, json);
            return this;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<String, String> e : fields.entrySet()) {
                if (b.length() > 1) {
                    b.append(',');
                }
                b.append(quote(e.getKey())).append(':').append(e.getValue());
            }
            return b.append('}').toString();
        }
    }

    /** A JSON array under construction. */
    static final class Array {
        private final List<String> items = new ArrayList<>();

        Array add(Object value) {
            items.add(render(value));
            return this;
        }

        /** Adds text that is already JSON (e.g. {@code BenchResult.json()}). */
        Array addRaw(String json) {
            items.add(json);
            return this;
        }

        @Override
        public String toString() {
            return "[" + String.join(",", items) + "]";
        }
    }

    static String render(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Obj || v instanceof Array) {
            return v.toString();
        }
        if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            return v.toString();
        }
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            // Six significant digits: measurements are not more precise than that.
            return Double.isFinite(d) ? Double.toString(Double.parseDouble(String.format(Locale.ROOT, "%.6g", d))) : "null";
        }
        return quote(v.toString());
    }

    static String quote(String s) {
        return dev.attn4j.selector.JsonText.quote(s);
    }
}

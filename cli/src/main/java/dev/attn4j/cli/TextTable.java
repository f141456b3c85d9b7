package dev.attn4j.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table: columns as wide as their widest line, two spaces apart, a dashed rule under
 * the header. A cell may hold several lines ({@code \n}), so wide lists (formats, features) stack
 * vertically instead of making the table wider than a terminal.
 */
final class TextTable {
    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... headers) {
        this.headers = headers.clone();
        this.right = new boolean[headers.length];
    }

    /** Right-aligns these columns (numbers). */
    TextTable alignRight(int... columns) {
        for (int c : columns) {
            right[c] = true;
        }
        return this;
    }

    TextTable row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.length + " columns");
        }
        rows.add(Arrays.stream(cells).map(String::valueOf).toArray(String[]::new));
        return this;
    }

    String render() {
        int[] width = new int[headers.length];
        for (int c = 0; c < headers.length; c++) {
            width[c] = headers[c].length();
            for (String[] r : rows) {
                for (String line : r[c].split("\n", -1)) {
                    width[c] = Math.max(width[c], line.length());
                }
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, headers, width);
        String[] rule = new String[headers.length];
        for (int c = 0; c < headers.length; c++) {
            rule[c] = "-".repeat(width[c]);
        }
        line(b, rule, width);
        for (String[] r : rows) {
            String[][] lines = new String[r.length][];
            int height = 1;
            for (int c = 0; c < r.length; c++) {
                lines[c] = r[c].split("\n", -1);
                height = Math.max(height, lines[c].length);
            }
            for (int i = 0; i < height; i++) {
                String[] cells = new String[r.length];
                for (int c = 0; c < r.length; c++) {
                    cells[c] = i < lines[c].length ? lines[c][i] : "";
                }
                line(b, cells, width);
            }
        }
        return b.toString();
    }

    private void line(StringBuilder b, String[] cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                l.append("  ");
            }
            String pad = " ".repeat(width[c] - cells[c].length());
            l.append(right[c] ? pad + cells[c] : cells[c] + pad);
        }
        b.append(l.toString().stripTrailing()).append('\n');
    }

    /** Breaks text at spaces into lines of at most {@code width} characters (longer words stay whole). */
    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        int lineLen = 0;
        for (String word : text.split(" ")) {
            if (lineLen > 0 && lineLen + 1 + word.length() > width) {
                out.append('\n');
                lineLen = 0;
            } else if (lineLen > 0) {
                out.append(' ');
                lineLen++;
            }
            out.append(word);
            lineLen += word.length();
        }
        return out.toString();
    }
}

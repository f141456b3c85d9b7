package dev.attn4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A line chart as SVG text, for {@code bench --sweep}: shapes along x (categories, in order), one
 * series per KV format, the ratio to the ceiling on y with a line at 1.0. Written by hand: a
 * charting library would bring a graphics stack into the CLI for one simple, static picture.
 */
final class SvgChart {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};
    private static final int W = 960;
    private static final int H = 480;
    private static final int LEFT = 60;
    private static final int RIGHT = 180;
    private static final int TOP = 40;
    private static final int BOTTOM = 150;

    private final String title;
    private final List<String> categories = new ArrayList<>();
    private final Map<String, Map<String, Double>> series = new LinkedHashMap<>();

    SvgChart(String title) {
        this.title = title;
    }

    /** Point (category, value) of a series; categories keep their first-seen order. NaN: no point. */
    SvgChart point(String seriesName, String category, double value) {
        if (!categories.contains(category)) {
            categories.add(category);
        }
        series.computeIfAbsent(seriesName, k -> new LinkedHashMap<>()).put(category, value);
        return this;
    }

    String render() {
        double max = 1.1;
        for (Map<String, Double> s : series.values()) {
            for (double v : s.values()) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, v * 1.05);
                }
            }
        }
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", W, H));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        for (double y = 0; y <= max + 1e-9; y += 0.2) {
            double py = TOP + plotH * (1 - y / max);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                    LEFT, py, LEFT + plotW, py, Math.abs(y - 1.0) < 1e-9 ? "#888" : "#eee"));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n",
                    LEFT - 6, py + 4, y));
        }
        double step = categories.size() > 1 ? (double) plotW / (categories.size() - 1) : 0;
        for (int i = 0; i < categories.size(); i++) {
            double px = LEFT + (categories.size() > 1 ? i * step : plotW / 2.0);
            b.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%d) rotate(-60)\" text-anchor=\"end\">%s</text>%n",
                    px, TOP + plotH + 12, escape(categories.get(i))));
        }
        int k = 0;
        for (Map.Entry<String, Map<String, Double>> s : series.entrySet()) {
            String color = COLORS[k % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < categories.size(); i++) {
                Double v = s.getValue().get(categories.get(i));
                if (v == null || !Double.isFinite(v)) {
                    continue;
                }
                double px = LEFT + (categories.size() > 1 ? i * step : plotW / 2.0);
                double py = TOP + plotH * (1 - v / max);
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
                b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py, color));
            }
            if (path.length() > 0) {
                b.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n",
                        path, color));
            }
            int ly = TOP + 14 + 18 * k;
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    W - RIGHT + 16, ly - 10, color));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", W - RIGHT + 34, ly, escape(s.getKey())));
            k++;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

package dev.attn4j.selector;

import java.net.URI;
import java.net.URL;

/** How the report names where a provider came from: a jar by its file name, anything else by its path. */
final class Locations {
    private Locations() {
    }

    /**
     * The jar or directory of a code source ({@code file:/x/attn4j-backend-cpu.jar}) or of a resource
     * in one ({@code jar:file:/x/y.jar!/META-INF/services/...}, {@code file:/x/classes/META-INF/...}).
     */
    static String describe(URL url) {
        if (url == null) {
            return "unknown location";
        }
        String s = url.toString();
        if (s.startsWith("jar:")) {
            int bang = s.indexOf("!/");
            s = s.substring(4, bang >= 0 ? bang : s.length());
        } else {
            int meta = s.indexOf("/META-INF/");
            if (meta >= 0) {
                s = s.substring(0, meta);
            }
        }
        if (s.startsWith("file:")) {
            try {
                s = URI.create(s).getPath();
            } catch (IllegalArgumentException e) {
                s = s.substring(5);
            }
        }
        int slash = s.lastIndexOf('/');
        // A jar is named by its file name; a class directory (an IDE or reactor build) by its full path.
        return s.endsWith(".jar") && slash >= 0 ? s.substring(slash + 1) : s;
    }
}

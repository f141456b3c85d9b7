package dev.attn4j.tck;

import dev.attn4j.api.support.KernelCodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a kernel source against the Java side of the kernel ABI: the codes of
 * {@link KernelCodes} (declared in the source as enum constants or {@code #define}s) and the field
 * order of the parameter structs a backend builds (see {@link #structFields}).
 */
public final class KernelAbi {
    private static final Pattern ENUM_CONSTANT = Pattern.compile("\\b([A-Z][A-Z0-9_]*)\\s*=\\s*(-?\\d+)\\s*[,}]");
    private static final Pattern DEFINE = Pattern.compile("(?m)^\\s*#define\\s+([A-Z][A-Z0-9_]*)\\s+(-?\\d+)\\s*$");
    private static final Pattern FIELD = Pattern.compile("^\\s*(?:const\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*(\\*?)\\s*(.+?);");

    private KernelAbi() {
    }

    /**
     * A kernel source of a module, from the module's folder (where Maven runs its tests) or from the
     * project root (where the GPU host's pack runs them): {@code source("cuda-driver",
     * "src/main/cuda/kernel_codes.cuh")}; a folder the same way.
     */
    public static Path source(String module, String relative) {
        Path here = Path.of(relative);
        Path fromRoot = Path.of(module, relative);
        if (Files.exists(here)) {
            return here;
        }
        if (Files.exists(fromRoot)) {
            return fromRoot;
        }
        throw new IllegalStateException("kernel source " + relative + " of " + module + " not found from "
                + Path.of("").toAbsolutePath());
    }

    /** The integer constants a source declares (enum constants and {@code #define NAME number}). */
    public static Map<String, Integer> declaredCodes(String source) {
        Map<String, Integer> out = new LinkedHashMap<>();
        String code = stripComments(source);
        for (Pattern p : List.of(ENUM_CONSTANT, DEFINE)) {
            Matcher m = p.matcher(code);
            while (m.find()) {
                out.putIfAbsent(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        return out;
    }

    /**
     * What disagrees between {@link KernelCodes#all()} and the codes the source at {@code path}
     * declares: a code missing from the source, or declared with another value. Empty when they agree.
     */
    public static List<String> codeMismatches(Path path) throws IOException {
        Map<String, Integer> declared = declaredCodes(Files.readString(path));
        List<String> problems = new ArrayList<>();
        KernelCodes.all().forEach((name, value) -> {
            Integer there = declared.get(name);
            if (there == null) {
                problems.add(path.getFileName() + " does not declare " + name + " (Java: " + value + ")");
            } else if (there.intValue() != value) {
                problems.add(path.getFileName() + " declares " + name + " = " + there + ", Java passes " + value);
            }
        });
        return problems;
    }

    /**
     * Codes of {@link KernelCodes} that a kernel source in {@code dir} ({@code .cu}, {@code .cuh},
     * {@code .cl}) declares with another value than Java passes: a backend that declares the ABI
     * again, beside the shared declaration, and gets it wrong. Empty when none does.
     */
    public static List<String> codeConflicts(Path dir) throws IOException {
        List<String> problems = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(KernelAbi::isKernelSource).sorted().toList()) {
                Map<String, Integer> declared = declaredCodes(Files.readString(f));
                KernelCodes.all().forEach((name, value) -> {
                    Integer there = declared.get(name);
                    if (there != null && there.intValue() != value) {
                        problems.add(f.getFileName() + " declares " + name + " = " + there + ", Java passes " + value);
                    }
                });
            }
        }
        return problems;
    }

    /**
     * What is wrong with a CUDA backend's use of the shared codes: {@code header} (which its kernels
     * include) must include cuda-driver's {@code kernel_codes.cuh}, and no source in {@code dir} may
     * declare a code that disagrees ({@link #codeConflicts}). Empty when all is well.
     */
    public static List<String> sharedCodeProblems(String module, String header, String dir) throws IOException {
        List<String> problems = new ArrayList<>();
        if (!Files.readString(source(module, header)).contains("#include \"kernel_codes.cuh\"")) {
            problems.add(header + " does not include kernel_codes.cuh");
        }
        problems.addAll(codeConflicts(source(module, dir)));
        return problems;
    }

    private static boolean isKernelSource(Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".cu") || n.endsWith(".cuh") || n.endsWith(".cl");
    }

    /**
     * The fields of {@code struct name { ... }} in a C/C++ source, in order, each as
     * {@code "name:ptr"}, {@code "name:i32"} or {@code "name:f32"} (what a parameter block writes for
     * it); several declarators on one line ({@code int a, b;}) are separate fields.
     */
    public static List<String> structFields(String source, String name) {
        String code = stripComments(source);
        Matcher start = Pattern.compile("\\bstruct\\s+" + Pattern.quote(name) + "\\s*\\{").matcher(code);
        if (!start.find()) {
            throw new IllegalArgumentException("no struct " + name + " in the source");
        }
        int end = code.indexOf('}', start.end());
        List<String> fields = new ArrayList<>();
        for (String line : code.substring(start.end(), end).split(";")) {
            String decl = line.trim();
            if (decl.isEmpty()) {
                continue;
            }
            Matcher m = FIELD.matcher(decl + ";");
            if (!m.find()) {
                throw new IllegalArgumentException("cannot read field declaration '" + decl + "' of struct " + name);
            }
            String type = m.group(1);
            for (String declarator : m.group(3).split(",")) {
                String d = declarator.trim();
                boolean pointer = !m.group(2).isEmpty() || d.startsWith("*");
                String field = d.replace("*", "").trim();
                String length = "";   // an array of a fixed length n: kind[n]
                int bracket = field.indexOf('[');
                if (bracket >= 0) {
                    length = field.substring(bracket).replace(" ", "");
                    field = field.substring(0, bracket).trim();
                }
                String kind = pointer ? "ptr" : switch (type) {
                    case "int", "int32_t", "unsigned", "uint32_t" -> "i32";
                    case "float" -> "f32";
                    default -> throw new IllegalArgumentException("field " + field + " of struct " + name
                            + " has type " + type + ", which parameter blocks do not write");
                };
                fields.add(field + ":" + kind + length);
            }
        }
        return fields;
    }

    /**
     * The parameters of the OpenCL kernel whose (macro-built) name starts with {@code namePrefix},
     * e.g. {@code attn4j_attention_} in {@code void PASTE5(attn4j_attention_, KV_NAME, ...)(...)}, in
     * order, as {@code "name:ptr|i32|f32"} (pointers and buffers are {@code ptr}).
     */
    public static List<String> kernelParams(String source, String namePrefix) {
        String code = stripComments(source);
        int at = code.indexOf(namePrefix + ",");
        if (at < 0) {
            at = code.indexOf(namePrefix);
        }
        if (at < 0) {
            throw new IllegalArgumentException("no kernel named " + namePrefix + "* in the source");
        }
        int open = code.indexOf(")(", at);
        if (open < 0) {
            throw new IllegalArgumentException("cannot find the parameter list of " + namePrefix + "*");
        }
        int close = code.indexOf(')', open + 2);
        List<String> params = new ArrayList<>();
        for (String param : code.substring(open + 2, close).split(",")) {
            String p = param.replaceAll("\\b(const|__global|__local|__constant|global|local|restrict)\\b", " ").trim();
            boolean pointer = p.contains("*");
            String[] words = p.replace("*", " ").trim().split("\\s+");
            String name = words[words.length - 1];
            String type = words[0];
            String kind = pointer ? "ptr" : switch (type) {
                case "int", "uint" -> "i32";
                case "float" -> "f32";
                default -> throw new IllegalArgumentException("parameter " + name + " of " + namePrefix
                        + "* has type " + type + ", which launches do not pass");
            };
            params.add(name + ":" + kind);
        }
        return params;
    }

    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", "");
    }
}

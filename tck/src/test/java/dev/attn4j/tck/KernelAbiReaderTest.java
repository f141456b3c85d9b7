package dev.attn4j.tck;

import dev.attn4j.api.support.KernelCodes;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel-source reader finds codes, struct fields and kernel parameters, and reports disagreements. */
class KernelAbiReaderTest {

    @Test
    void readsEnumsAndDefinesButNotComments() {
        Map<String, Integer> codes = KernelAbi.declaredCodes("""
                // L_NHD = 7 in a comment does not count
                enum Layout { L_NHD = 0, L_HND = 1 };
                #define G_TOKEN 4
                """);
        assertEquals(Map.of("L_NHD", 0, "L_HND", 1, "G_TOKEN", 4), codes);
    }

    @Test
    void aCodeThatDisagreesOrIsMissingIsReported(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        StringBuilder source = new StringBuilder();
        KernelCodes.all().forEach((name, value) -> {
            if (!name.equals("G_TOKEN_GROUP")) {
                source.append("#define ").append(name).append(' ').append(name.equals("L_HND") ? 2 : value).append('\n');
            }
        });
        Path f = Files.writeString(dir.resolve("formats.cl"), source);
        assertEquals(List.of("formats.cl does not declare G_TOKEN_GROUP (Java: 5)",
                "formats.cl declares L_HND = 2, Java passes 1"), KernelAbi.codeMismatches(f));
    }

    @Test
    void readsStructFieldsInOrder() {
        List<String> fields = KernelAbi.structFields("""
                struct Other { int x; };
                struct P {
                    const void* q;            // comment
                    float* lse;
                    int a, b;
                    float s;
                    int slots[ 256 ];
                };
                """, "P");
        assertEquals(List.of("q:ptr", "lse:ptr", "a:i32", "b:i32", "s:f32", "slots:i32[256]"), fields);
    }

    @Test
    void readsOpenClKernelParameters() {
        List<String> params = KernelAbi.kernelParams("""
                __kernel __attribute__((reqd_work_group_size(64, 1, 1)))
                void PASTE3(attn4j_merge_, Q_NAME, )(
                        __global ushort* out, const __global float* workspace, int has_lse, float scale) {
                }
                """, "attn4j_merge_");
        assertEquals(List.of("out:ptr", "workspace:ptr", "has_lse:i32", "scale:f32"), params);
        assertTrue(KernelAbi.kernelParams("void PASTE3(attn4j_merge_, X, )(int a) {}", "attn4j_merge_").contains("a:i32"));
    }
}

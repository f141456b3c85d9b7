package dev.attn4j.cudadriver;

import dev.attn4j.api.support.ParamLayout;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Parameter structs are laid out as nvcc lays out the C structs, and only in their layout's order. */
class ParamBlockTest {
    private static final ParamLayout FIVE = ParamLayout.of("Five", "a:i32", "p:ptr", "x:f32", "b:i32", "c:i32");

    @Test
    void alignsLikeC() {
        byte[] b = new ParamBlock(FIVE).i32("a", 7).ptr("p", 0x1122334455667788L).f32("x", 1.5f).i32("b", 3).i32("c", 4)
                .bytes();
        assertEquals(32, b.length, "int(4) pad(4) ptr(8) float(4) int(4) int(4) pad(4)");
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(7, buf.getInt(0));
        assertEquals(0x1122334455667788L, buf.getLong(8));
        assertEquals(1.5f, buf.getFloat(16));
        assertEquals(4, buf.getInt(24));
    }

    @Test
    void aFieldOutOfOrderOrMissingIsRejected() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ParamBlock(FIVE).i32("a", 1).f32("x", 1));
        assertEquals("Five field 1 is p:ptr, not x:f32", e.getMessage());
        assertThrows(IllegalStateException.class, () -> new ParamBlock(FIVE).i32("a", 1).bytes());
    }

    @Test
    void anIntArrayFieldHoldsItsValuesThenZeros() {
        ParamLayout withArray = ParamLayout.of("Arr", "p:ptr", "n:i32", "slots:i32[4]");
        byte[] b = new ParamBlock(withArray).ptr("p", 1L).i32("n", 2).i32s("slots", new int[] {9, -1}, 4).bytes();
        assertEquals(32, b.length, "ptr(8) int(4) int[4](16) pad(4)");
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(9, buf.getInt(12));
        assertEquals(-1, buf.getInt(16));
        assertEquals(0, buf.getInt(20));
        assertEquals(0, buf.getInt(24));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ParamBlock(withArray).ptr("p", 1L).i32("n", 2).i32s("slots", new int[5], 4));
        assertEquals("slots holds 4 ints, not 5", e.getMessage());
        assertThrows(IllegalStateException.class, () -> new ParamBlock(withArray).ptr("p", 1L).i32("n", 2)
                .i32s("slots", new int[1], 8));
    }
}

package dev.attn4j.cudadriver;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Parameter structs are laid out as nvcc lays out the C structs: natural alignment, size rounded to 8. */
class ParamBlockTest {

    @Test
    void alignsLikeC() {
        byte[] b = new ParamBlock().i32(7).ptr(0x1122334455667788L).f32(1.5f).i32(3).i32(4).bytes();
        assertEquals(32, b.length, "int(4) pad(4) ptr(8) float(4) int(4) int(4) pad(4)");
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(7, buf.getInt(0));
        assertEquals(0x1122334455667788L, buf.getLong(8));
        assertEquals(1.5f, buf.getFloat(16));
        assertEquals(4, buf.getInt(24));
    }
}

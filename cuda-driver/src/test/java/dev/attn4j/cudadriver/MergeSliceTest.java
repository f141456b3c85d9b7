package dev.attn4j.cudadriver;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How many channels of a row one split-merge block takes (no GPU needed). */
class MergeSliceTest {
    @Test
    void aFewItemsPerUnitKeepOneBlockPerRow() {
        assertEquals(128, DriverBackend.mergeSlice(128, 16));   // qwen2-7b 8 x 32768: 16 items a unit
        assertEquals(256, DriverBackend.mergeSlice(256, 16));
        assertEquals(64, DriverBackend.mergeSlice(64, 9));
        assertEquals(128, DriverBackend.mergeSlice(80, 9));      // a power of two covering the row
    }

    @Test
    void unitsSplitAHundredWaysAreCutIntoNarrowSlices() {
        assertEquals(32, DriverBackend.mergeSlice(128, 66));    // one sequence of 131072 tokens, 8 KV heads
        assertEquals(32, DriverBackend.mergeSlice(128, 132));   // the same with 4 KV heads
        assertEquals(32, DriverBackend.mergeSlice(256, 1000));  // never below 32 channels
        assertEquals(64, DriverBackend.mergeSlice(256, 40));
    }

    @Test
    void everySliceIsAPowerOfTwoFrom32To256AndNoThreadWalksMoreThanItMust() {
        for (int d = 8; d <= 256; d += 8) {
            for (int n = 2; n <= 2048; n++) {
                int w = DriverBackend.mergeSlice(d, n);
                assertTrue(w >= 32 && w <= 256 && Integer.bitCount(w) == 1, d + "/" + n + ": " + w);
                // a thread takes every (256 / (w / 4))-th partial: at most 4 unless the slice is the narrowest
                assertTrue(w == 32 || (long) n * w <= 4096, d + "/" + n + ": " + w);
                assertTrue(w >= Math.min(d, 256) || (long) n * 2 * w > 4096, d + "/" + n + ": " + w);
            }
        }
    }
}

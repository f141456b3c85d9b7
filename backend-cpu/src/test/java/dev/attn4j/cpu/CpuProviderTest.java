package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.BackendUnavailableException;
import dev.attn4j.api.DType;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.UnsupportedConfigurationException;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery, probe, kill switch, options, memory wrapping and lifetime of the cpu backend. */
class CpuProviderTest {

    @Test
    void foundThroughServiceLoader() {
        List<AttentionBackendProvider> found = ServiceLoader.load(AttentionBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).collect(Collectors.toList());
        assertEquals(List.of("cpu"), found.stream().map(AttentionBackendProvider::name).collect(Collectors.toList()));
        Availability a = found.get(0).probe();
        assertTrue(a.isAvailable(), a::toString);
        assertEquals(1, a.devices().size());
        assertEquals(0, found.get(0).priority());
    }

    @Test
    void killSwitchIsTheCause() {
        System.setProperty("attn4j.cpu.disabled", "true");
        try {
            Availability a = new CpuBackendProvider().probe();
            assertFalse(a.isAvailable());
            assertEquals("disabled by attn4j.cpu.disabled=true", a.unavailabilityCause());
            assertThrows(BackendUnavailableException.class, () -> new CpuBackendProvider().open(BackendOptions.defaults()));
        } finally {
            System.clearProperty("attn4j.cpu.disabled");
        }
    }

    @Test
    void threadCountFromOptionsOrProperty() {
        try (CpuBackend b = (CpuBackend) new CpuBackendProvider().open(BackendOptions.builder().threads(3).build())) {
            assertEquals(3, b.threads());
        }
        try (CpuBackend b = (CpuBackend) new CpuBackendProvider().open(
                BackendOptions.builder().property("attn4j.cpu.threads", "5").build())) {
            assertEquals(5, b.threads());
        }
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> new CpuBackendProvider().open(
                BackendOptions.builder().property("attn4j.cpu.threads", "many").build()));
        assertEquals("attn4j.cpu.threads", e.field());
    }

    @Test
    void wrapsHostBuffersWithoutCopying() {
        try (AttentionBackend b = new CpuBackendProvider().open(BackendOptions.defaults())) {
            ByteBuffer host = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
            Tensor t = b.wrap(ExternalMemory.hostBuffer(host), DType.FP32, 2, 2);
            t.copyFrom(new float[] {1, 2, 3, 4});
            assertEquals(3f, host.getFloat(8), "writes land in the host's memory");
            host.putFloat(0, 9f);
            assertArrayEquals(new float[] {9, 2, 3, 4}, t.toFloatArray(), "reads see the host's writes");
            assertFalse(t.ownsMemory());
            t.close();
            assertEquals(9f, host.getFloat(0), "closing a wrapped tensor leaves the memory alone");
            InvalidRequestException small = assertThrows(InvalidRequestException.class,
                    () -> b.wrap(ExternalMemory.hostBuffer(ByteBuffer.allocate(8)), DType.FP32, 4));
            assertEquals("memory.byteSize", small.field());
            UnsupportedConfigurationException dev = assertThrows(UnsupportedConfigurationException.class,
                    () -> b.wrap(ExternalMemory.devicePointer(0x1000, 64), DType.FP32, 4));
            assertTrue(dev.getMessage().contains("memory.kind=DEVICE_POINTER"), dev.getMessage());
        }
    }

    @Test
    void copiesBetweenTensorsOfOneShape() {
        try (AttentionBackend b = new CpuBackendProvider().open(BackendOptions.defaults());
             Tensor src = b.allocate(DType.FP32, 2, 3);
             Tensor dst = b.allocate(DType.FP32, 2, 3)) {
            src.copyFrom(new float[] {1, 2, 3, 4, 5, 6});
            b.copy(src, dst);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, dst.toFloatArray());
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> b.copy(src, b.allocate(DType.FP32, 3, 2)));
            assertEquals("dst.shape", e.field());
        }
    }

    @Test
    void closedBackendFailsFast() {
        AttentionBackend b = new CpuBackendProvider().open(BackendOptions.defaults());
        b.close();
        assertTrue(b.isClosed());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> b.allocate(DType.FP32, 4));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}

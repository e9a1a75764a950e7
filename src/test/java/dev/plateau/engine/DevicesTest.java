package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What --device auto, cpu and gpu become on machines told by a stand-in probe, and the one line that says why. */
class DevicesTest {
    private static final String DRIVER = "NVIDIA driver 550.54.15 (/usr/lib/x86_64-linux-gnu/libcuda.so.1)";

    /** A machine as the test says it is. */
    record Machine(int gpus, boolean engineHasCuda, boolean nativesInstalled, Optional<String> driver)
            implements Devices.Probe {
    }

    @Test
    void aGpuIsUsedWhenTheEngineSeesOne() {
        Machine m = new Machine(1, true, true, Optional.of(DRIVER));
        assertEquals(new Devices.Selection(Device.gpu(), Optional.empty()), Devices.choose("auto", m));
        assertEquals(new Devices.Selection(Device.gpu(), Optional.empty()), Devices.choose("GPU", m));
    }

    @Test
    void theCpuIsChosenWithoutAskingTheMachine() {
        Devices.Probe untouchable = new Devices.Probe() {
            @Override
            public int gpus() {
                throw new AssertionError("cpu needs no GPU probe");
            }

            @Override
            public boolean engineHasCuda() {
                throw new AssertionError();
            }

            @Override
            public boolean nativesInstalled() {
                throw new AssertionError();
            }

            @Override
            public Optional<String> driver() {
                throw new AssertionError();
            }
        };
        assertEquals(new Devices.Selection(Device.cpu(), Optional.empty()), Devices.choose("cpu", untouchable));
    }

    @Test
    void noDriver() {
        Machine m = new Machine(0, false, false, Optional.empty());
        assertEquals(new Devices.Selection(Device.cpu(), Optional.of("running on the cpu: no NVIDIA driver found (no "
                + "libcuda.so.1); install the NVIDIA driver (for CUDA 12.4 or newer)")), Devices.choose("auto", m));
        assertEquals("--device gpu: no NVIDIA driver found (no libcuda.so.1); install the NVIDIA driver (for CUDA "
                + "12.4 or newer), or use --device cpu", refusal(m));
    }

    @Test
    void aDriverWithoutTheCudaNatives() {
        Machine m = new Machine(0, false, false, Optional.of(DRIVER));
        assertEquals(new Devices.Selection(Device.cpu(), Optional.of("running on the cpu: the CUDA natives are not "
                + "installed; run `plateau gpu install` to download them (2.5 GB) from Maven Central")),
                Devices.choose("auto", m));
        assertEquals("--device gpu: the CUDA natives are not installed; run `plateau gpu install` to download them "
                + "(2.5 GB) from Maven Central, or use --device cpu", refusal(m));
    }

    @Test
    void nativesInstalledAfterTheStart() {
        Machine m = new Machine(0, false, true, Optional.of(DRIVER));
        assertEquals("--device gpu: the CUDA natives are installed but not loaded (installed after Plateau started, "
                + "or PYTORCH_LIBRARY_PATH names another libtorch); start Plateau again, or use --device cpu",
                refusal(m));
    }

    @Test
    void cudaLoadedButNoUsableGpu() {
        Machine m = new Machine(0, true, true, Optional.of(DRIVER));
        assertEquals("--device gpu: CUDA finds no usable GPU with the " + DRIVER + "; libtorch 2.5.1 needs a driver "
                + "for CUDA 12.4 or newer, or use --device cpu", refusal(m));
        assertEquals(Device.cpu(), Devices.choose("auto", m).device());
    }

    @Test
    void anUnknownDeviceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Devices.choose("tpu", new Machine(1, true, true, Optional.of(DRIVER))));
        assertEquals("unknown device 'tpu'; use auto, cpu or gpu", e.getMessage());
    }

    @Test
    void theDriverIsLibcudaInALinkerFolder(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve("libcuda.so.1"), "");
        Path proc = dir.resolve("version");
        assertEquals(Optional.empty(), NvidiaDriver.find(List.of(empty), proc));
        assertEquals(Optional.of("NVIDIA driver (" + lib.resolve("libcuda.so.1") + ")"),
                NvidiaDriver.find(List.of(empty, lib), proc), "WSL and some containers have no kernel module file");
        Files.writeString(proc, "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC "
                + "2024\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n");
        assertEquals(Optional.of("NVIDIA driver 550.54.15 (" + lib.resolve("libcuda.so.1") + ")"),
                NvidiaDriver.find(List.of(empty, lib), proc));
    }

    private static String refusal(Devices.Probe m) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.choose("gpu", m));
        assertEquals(1, e.getMessage().lines().count());
        return e.getMessage();
    }
}

package dev.plateau.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import java.util.Locale;
import java.util.Optional;

/**
 * The device a forward pass runs on: {@code auto} (the GPU when DJL finds one, else the CPU, saying why), {@code cpu}
 * or {@code gpu} (refused, saying what to do, when there is none).
 */
public final class Devices {
    private Devices() {
    }

    /** What {@code --device} resolved to; {@code fallback} says in one line why {@code auto} took the CPU. */
    public record Selection(Device device, Optional<String> fallback) {
    }

    /** What the machine and the loaded tensor engine offer for the GPU; tests stand in their own. */
    public interface Probe {
        /** GPUs the tensor engine can use (loads it). */
        int gpus();

        /** Whether the loaded tensor engine is libtorch's CUDA build. */
        boolean engineHasCuda();

        /** Whether the downloaded CUDA natives are on disk ({@link CudaNatives#installed()}). */
        boolean nativesInstalled();

        /** The NVIDIA driver in words; empty when there is none. */
        Optional<String> driver();

        /** This machine and this process's engine. */
        Probe SYSTEM = new Probe() {
            @Override
            public int gpus() {
                return Engine.getInstance().getGpuCount();
            }

            @Override
            public boolean engineHasCuda() {
                return Engine.getInstance().hasCapability(StandardCapabilities.CUDA);
            }

            @Override
            public boolean nativesInstalled() {
                return CudaNatives.standard().installed();
            }

            @Override
            public Optional<String> driver() {
                return NvidiaDriver.find();
            }
        };
    }

    /** The device for {@code choice}, as {@link #choose(String)} picks it. */
    public static Device of(String choice) {
        return choose(choice).device();
    }

    /** The device for {@code choice} on this machine; {@code gpu} without one is refused (IllegalArgumentException). */
    public static Selection choose(String choice) {
        return choose(choice, Probe.SYSTEM);
    }

    /** The same, with what the machine offers told by {@code probe}. */
    public static Selection choose(String choice, Probe probe) {
        String c = choice.toLowerCase(Locale.ROOT);
        if (c.equals("cpu")) {
            return new Selection(Device.cpu(), Optional.empty());
        }
        if (!c.equals("auto") && !c.equals("gpu")) {
            throw new IllegalArgumentException("unknown device '" + choice + "'; use auto, cpu or gpu");
        }
        if (probe.gpus() > 0) {
            return new Selection(Device.gpu(), Optional.empty());
        }
        String[] why = whyNoGpu(probe);
        if (c.equals("gpu")) {
            throw new IllegalArgumentException("--device gpu: " + why[0] + "; " + why[1] + ", or use --device cpu");
        }
        return new Selection(Device.cpu(), Optional.of("running on the cpu: " + why[0] + "; " + why[1]));
    }

    /** The device as people name it: {@code cpu}, {@code gpu}, or {@code gpu 1} beyond the first. */
    public static String describe(Device device) {
        if (device.isGpu()) {
            return device.getDeviceId() > 0 ? "gpu " + device.getDeviceId() : "gpu";
        }
        return "cpu";
    }

    /** Why the engine sees no GPU, and what to do about it. */
    private static String[] whyNoGpu(Probe probe) {
        Optional<String> driver = probe.driver();
        if (driver.isEmpty()) {
            return new String[] {"no NVIDIA driver found (no " + NvidiaDriver.LIBRARY + ")",
                    "install the NVIDIA driver (for CUDA 12.4 or newer)"};
        }
        if (!probe.engineHasCuda()) {
            return probe.nativesInstalled()
                    ? new String[] {"the CUDA natives are installed but not loaded (installed after Plateau started, "
                    + "or PYTORCH_LIBRARY_PATH names another libtorch)", "start Plateau again"}
                    : new String[] {"the CUDA natives are not installed", "run `plateau gpu install` to download "
                    + "them (2.5 GB) from Maven Central"};
        }
        return new String[] {"CUDA finds no usable GPU with the " + driver.get(), "libtorch 2.5.1 needs a driver for "
                + "CUDA 12.4 or newer"};
    }
}

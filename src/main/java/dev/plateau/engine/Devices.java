package dev.plateau.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** The device a forward pass runs on: {@code auto} (the GPU when DJL finds one), {@code cpu} or {@code gpu}. */
public final class Devices {
    private Devices() {
    }

    public static Device of(String choice) {
        int gpus = Engine.getInstance().getGpuCount();
        return switch (choice.toLowerCase(Locale.ROOT)) {
            case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (gpus == 0) {
                    throw new IllegalArgumentException("--device gpu: no GPU found; build with -Dcuda (README) on a "
                            + "machine with an NVIDIA driver, or use --device cpu");
                }
                yield Device.gpu();
            }
            default -> throw new IllegalArgumentException("unknown device '" + choice + "'; use auto, cpu or gpu");
        };
    }

    /**
     * The memory a run on {@code device} may use: the GPU's memory, or 90 % of the machine's physical memory (the
     * rest is the system's).
     */
    public static long memory(Device device) {
        if (device.isGpu()) {
            return ai.djl.util.cuda.CudaUtils.getGpuMemory(device).getMax();
        }
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os.getTotalMemorySize() / 10 * 9;
    }

    /** The device as people name it: {@code cpu}, {@code gpu}, or {@code gpu 1} beyond the first. */
    public static String describe(Device device) {
        if (device.isGpu()) {
            return device.getDeviceId() > 0 ? "gpu " + device.getDeviceId() : "gpu";
        }
        return "cpu";
    }
}

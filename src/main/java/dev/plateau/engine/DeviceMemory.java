package dev.plateau.engine;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** How much memory a run on a device may use. */
public final class DeviceMemory {
    private DeviceMemory() {
    }

    /** The GPU's memory, or 90 % of the machine's physical memory (the rest is the system's). */
    public static long of(Device device) {
        if (device.isGpu()) {
            return CudaUtils.getGpuMemory(device).getMax();
        }
        return physical() / 10 * 9;
    }

    /** The machine's physical memory: from the JDK's management module, else from /proc/meminfo. */
    private static long physical() {
        try {
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            return os.getTotalMemorySize();
        } catch (LinkageError | ClassCastException e) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (line.startsWith("MemTotal:")) {
                        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // no way to tell: the estimate is shown, but nothing is refused
            }
            return Long.MAX_VALUE;
        }
    }
}

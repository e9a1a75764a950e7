package dev.plateau.engine;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.ManagementFactory;

/** How much memory a run on a device may use. */
public final class DeviceMemory {
    private DeviceMemory() {
    }

    /** The GPU's memory, or 90 % of the machine's physical memory (the rest is the system's). */
    public static long of(Device device) {
        if (device.isGpu()) {
            return CudaUtils.getGpuMemory(device).getMax();
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getTotalMemorySize() / 10 * 9;
    }
}

package dev.plateau.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.model.Family;
import dev.plateau.prune.Plan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An export reports its bytes as it writes them, and a cancelled one leaves nothing. */
class ExportProgressTest {
    @TempDir
    Path home;

    @Test
    void progressRisesToTheBytesOfTheWrittenTensors() throws IOException {
        Workbench workbench = new Workbench(home);
        Path demo = workbench.demoCheckpoint(false);
        Plan plan = workbench.paperPlan(Family.SMOLVLA).orElseThrow();
        List<long[]> reports = new ArrayList<>();
        Path out = home.resolve("pruned");
        workbench.prune(demo, plan, out, false, (done, total) -> reports.add(new long[] {done, total}), () -> false);
        assertTrue(reports.size() > 10, "one report per tensor");
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i)[0] >= reports.get(i - 1)[0], "never goes back");
        }
        // the data part of the written file, by its own 8-byte header length: the file size minus 8 minus the header
        Path file = out.resolve("model.safetensors");
        long headerLength;
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, 0);
            headerLength = b.flip().getLong();
        }
        long data = Files.size(file) - 8 - headerLength;
        assertEquals(data, reports.getLast()[0]);
        assertEquals(data, reports.getLast()[1]);
    }

    @Test
    void aCancelledExportLeavesNothing() throws IOException {
        Workbench workbench = new Workbench(home);
        Path demo = workbench.demoCheckpoint(false);
        Plan plan = workbench.paperPlan(Family.SMOLVLA).orElseThrow();
        Path out = home.resolve("cancelled");
        int[] reports = {0};
        PlateauException e = assertThrows(PlateauException.class, () -> workbench.prune(demo, plan, out, false,
                (done, total) -> reports[0]++, () -> reports[0] >= 3));
        assertEquals("export cancelled; nothing was written to " + out, e.getMessage());
        assertFalse(Files.exists(out));
        try (Stream<Path> left = Files.list(home)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains("cancelled")), "no staging folder");
        }
    }
}

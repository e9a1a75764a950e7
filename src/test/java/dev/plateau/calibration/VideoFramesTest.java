package dev.plateau.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class VideoFramesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestVideos.Codec.class)
    void framesAtTimestampsAreTheFramesEncodedThere(TestVideos.Codec codec) {
        Path video = dir.resolve("v.mp4");
        TestVideos.write(video, codec, 60, 30, 10);
        try (VideoFrames frames = VideoFrames.open(video, 30)) {
            // forward, a backward jump (seek), a long forward jump (seek), then neighbours (decoded forward)
            for (int index : new int[] {0, 1, 2, 17, 5, 49, 50, 59}) {
                VideoFrames.Decoded d = frames.at(index / 30.0);
                assertEquals(index, TestVideos.number(d.image().rgb()), "frame " + index);
                assertEquals(index / 30.0, d.seconds(), 1e-3);
                assertEquals(TestVideos.WIDTH, d.width());
            }
        }
    }

    @Test
    void aTimestampPastTheEndIsRefusedWithTheVideosLength() {
        Path video = dir.resolve("short.mp4");
        TestVideos.write(video, TestVideos.Codec.H264, 10, 10, 5);
        try (VideoFrames frames = VideoFrames.open(video, 10)) {
            CalibrationException e = assertThrows(CalibrationException.class, () -> frames.at(2.0));
            assertTrue(e.getMessage().contains("short.mp4: no frame at 2.000 s"), e.getMessage());
        }
    }

    @Test
    void aFileThatIsNoVideoIsNamed() throws IOException {
        Path notVideo = Files.writeString(dir.resolve("broken.mp4"), "not a video");
        CalibrationException e = assertThrows(CalibrationException.class, () -> VideoFrames.open(notVideo, 30));
        assertTrue(e.getMessage().startsWith(notVideo + ": not a video"), e.getMessage());
        assertThrows(CalibrationException.class, () -> VideoFrames.open(dir.resolve("missing.mp4"), 30));
    }
}

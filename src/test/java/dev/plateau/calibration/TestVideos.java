package dev.plateau.calibration;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Test videos whose every frame says its own number: eight vertical stripes, black or white, the frame index in
 * binary (most significant bit on the left). Compression moves a stripe's level by a few steps, never across the
 * middle, so a decoded frame tells which frame it is.
 */
public final class TestVideos {
    public static final int WIDTH = 96;
    public static final int HEIGHT = 64;

    /** The codecs the tests encode with, as FFmpeg names their encoders. */
    public enum Codec {
        AV1("libaom-av1"), SVT_AV1("libsvtav1"), H264("libopenh264");

        final String encoder;

        Codec(String encoder) {
            this.encoder = encoder;
        }
    }

    private TestVideos() {
    }

    /** Writes {@code frames} frames at {@code fps} to an mp4 file, a key frame every {@code gop} frames. */
    public static void write(Path file, Codec codec, int frames, double fps, int gop) {
        write(file, codec, frames, fps, gop, WIDTH, HEIGHT);
    }

    /** The same at another size (benchmarks: a real camera's 640 x 480). */
    public static void write(Path file, Codec codec, int frames, double fps, int gop, int width, int height) {
        av_log_set_level(AV_LOG_ERROR);
        try {
            Files.createDirectories(file.getParent());
            try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0)) {
                recorder.setFormat("mp4");
                recorder.setVideoCodecName(codec.encoder);
                recorder.setFrameRate(fps);
                recorder.setGopSize(gop);
                recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
                if (codec == Codec.SVT_AV1) {
                    // LeRobot's settings (crf 30); SVT refuses a target bitrate together with crf
                    recorder.setVideoBitrate(0);
                    recorder.setVideoOption("crf", "30");
                    recorder.setVideoOption("preset", "10");
                } else {
                    recorder.setVideoQuality(20);
                    recorder.setVideoOption("cpu-used", "8");
                }
                recorder.start();
                for (int i = 0; i < frames; i++) {
                    ByteBuffer pixels = ByteBuffer.wrap(pixels(i, width, height));
                    recorder.recordImage(width, height, Frame.DEPTH_UBYTE, 3, width * 3, AV_PIX_FMT_RGB24, pixels);
                }
                recorder.stop();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The RGB pixels of frame {@code index}. */
    public static byte[] pixels(int index, int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        int stripe = width / 8;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int bit = 7 - x / stripe;
                byte v = (byte) (((index >> bit) & 1) == 1 ? 255 : 0);
                int i = (y * width + x) * 3;
                rgb[i] = v;
                rgb[i + 1] = v;
                rgb[i + 2] = v;
            }
        }
        return rgb;
    }

    /** The frame number a decoded picture ([3][h][w] in [0, 1]) shows, read at the middle of each stripe. */
    public static int number(float[][][] rgb) {
        int stripe = rgb[0][0].length / 8;
        int n = 0;
        for (int s = 0; s < 8; s++) {
            float v = rgb[0][rgb[0].length / 2][s * stripe + stripe / 2];
            n = (n << 1) | (v > 0.5f ? 1 : 0);
        }
        return n;
    }
}

package dev.plateau.calibration;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * The frames of one mp4 video (AV1, H.264, anything FFmpeg decodes) at requested timestamps, as LeRobot's decoder
 * returns them: the frame whose presentation time is nearest the query, refused when none lies within a third of a
 * frame interval. Queries in ascending order decode forward without seeking when the next one is near.
 */
final class VideoFrames implements AutoCloseable {
    /** Beyond this gap a query seeks instead of decoding forward. */
    private static final double SEEK_GAP_SECONDS = 1.0;

    static {
        av_log_set_level(AV_LOG_ERROR);
    }

    private final Path file;
    private final FFmpegFrameGrabber grabber;
    private final double fps;
    private Decoded last;

    /** A decoded frame: its presentation time and its RGB pixels. */
    record Decoded(double seconds, CameraImage image, int width, int height) {
    }

    private VideoFrames(Path file, FFmpegFrameGrabber grabber, double fps) {
        this.file = file;
        this.grabber = grabber;
        this.fps = fps;
    }

    /**
     * @param fps the dataset's frame rate (a container's own rate is an average that some encoders round or
     *            skew, and the dataset's timestamps are multiples of 1 / fps)
     */
    static VideoFrames open(Path file, double fps) {
        if (!Files.isRegularFile(file)) {
            throw new CalibrationException(file + ": the video does not exist");
        }
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.setPixelFormat(AV_PIX_FMT_RGB24);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            close(grabber);
            throw new CalibrationException(file + ": not a video FFmpeg can open (" + e.getMessage() + ")");
        }
        if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            close(grabber);
            throw new CalibrationException(file + ": holds no video stream");
        }
        return new VideoFrames(file, grabber, fps);
    }

    /** The frame shown at {@code seconds} from the start of the file. */
    Decoded at(double seconds) {
        double half = 0.5 / fps;
        try {
            if (last == null || seconds < last.seconds() - half || seconds - last.seconds() > SEEK_GAP_SECONDS) {
                grabber.setTimestamp(Math.round(Math.max(0, seconds - half) * 1e6));
                last = null;
            }
            while (last == null || last.seconds() < seconds - half) {
                Frame frame = grabber.grabImage();
                if (frame == null) {
                    throw new CalibrationException(String.format(Locale.ROOT, "%s: no frame at %.3f s; the video "
                            + "ends at %.3f s", file, seconds, last == null ? grabber.getLengthInTime() / 1e6
                            : last.seconds() + 1 / fps));
                }
                last = copy(frame);
            }
        } catch (FrameGrabber.Exception e) {
            throw new CalibrationException(String.format(Locale.ROOT, "%s: cannot be decoded at %.3f s (%s)", file,
                    seconds, e.getMessage()));
        }
        if (Math.abs(last.seconds() - seconds) > half / 1.5) {
            throw new CalibrationException(String.format(Locale.ROOT, "%s: no frame at %.3f s (the nearest is at "
                    + "%.3f s); is the timestamp column in step with the video's %.2f fps?", file, seconds,
                    last.seconds(), fps));
        }
        return last;
    }

    private static Decoded copy(Frame frame) {
        int w = frame.imageWidth;
        int h = frame.imageHeight;
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            buffer.get(y * frame.imageStride, rgb, y * w * 3, w * 3);
        }
        return new Decoded(frame.timestamp / 1e6, CameraImage.pixels(rgb, w, h), w, h);
    }

    @Override
    public void close() {
        close(grabber);
    }

    private static void close(FFmpegFrameGrabber grabber) {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception ignored) {
            // closing a decoder that failed to open leaves nothing to release
        }
    }
}

package dev.plateau.engine;

import ai.djl.util.Utils;
import dev.plateau.checkpoint.FileTrees;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * libtorch 2.5.1 for CUDA 12.4, downloaded on first use from Maven Central ({@code
 * ai.djl.pytorch:pytorch-native-cu124:2.5.1:linux-x86_64}, 2.46 GB, 4.1 GB unpacked) into DJL's own cache, so that an
 * installed Plateau (which carries the CPU natives only) can run on an NVIDIA GPU.
 *
 * <p>The layout relied on, from DJL 0.33.0 ({@code engines/pytorch/pytorch-engine/.../jni/LibUtils.java}, {@code
 * api/.../util/Platform.java} and {@code Utils.java} at tag v0.33.0) and from the jars themselves:
 * <ul>
 * <li>The native jar holds {@code native/lib/pytorch.properties} ({@code version=2.5.1-20241113}, {@code
 * flavor=cu124}, {@code classifier=linux-x86_64}, {@code libraries=} the 22 files) and the files under {@code
 * pytorch/cu124/linux-x86_64/}. The CPU jar has the same shape with {@code flavor=cpu}.</li>
 * <li>The JNI glue is not in it: {@code libdjl_torch.so} for every flavor ships in the pytorch-jni jar that Plateau
 * already carries, as {@code jnilib/linux-x86_64/cu124/libdjl_torch.so}.</li>
 * <li>{@code LibUtils.copyNativeLibraryFromClasspath} unpacks a native jar on the class path into {@code
 * <cache>/pytorch/<version>-<flavor>-<classifier>/} ({@code <cache>}: {@code Utils.getEngineCacheDir}, i.e.
 * ENGINE_CACHE_DIR, else DJL_CACHE_DIR, else ~/.djl.ai; each read environment first, then system property), and
 * {@code findJniLibrary} copies the JNI glue beside it as {@code <djl version>-libdjl_torch.so}. This class builds the
 * very folder a {@code -Dcuda} build would: {@code 2.5.1-20241113-cu124-linux-x86_64}.</li>
 * <li>{@code LibUtils.findOverrideLibrary}: when {@code PYTORCH_LIBRARY_PATH} names a folder holding {@code
 * libtorch.so}, that folder is used whatever jars are on the class path; {@code LibTorch(Path)} then takes the flavor
 * from {@code PYTORCH_FLAVOR} (else it guesses {@code cuXXX-precxx11} or {@code cpu-precxx11}, the wrong ABI here), and
 * {@code findJniLibrary} looks first for {@code 0.33.0-libdjl_torch.so} in that folder, so nothing is downloaded: the
 * app's {@code -Dai.djl.offline=true} ({@code Utils.openUrl} refuses http(s) in offline mode) never comes into play.
 * {@code loadLibTorch} loads every {@code .so} in the folder, the CUDA ones only when the flavor contains "cu".</li>
 * <li>DJL counts GPUs with {@code CudaUtils.getGpuCount}, which loads {@code cudart} through JNA by its plain name
 * ({@code libcudart.so}); the jar's runtime is {@code libcudart-8774224f.so.12}, which JNA would not find on a machine
 * with only the driver (and where a CUDA toolkit is installed JNA would take its runtime, of another version). The
 * folder therefore gets a {@code libcudart.so} link to it and goes first on {@code jna.library.path}, which JNA
 * searches before the system's folders.</li>
 * </ul>
 * The download is checked against the SHA-1 that Central publishes for the jar (the only digest it has besides MD5),
 * pinned here; a download that does not match is deleted. The folder appears whole or not at all: the jar goes to a
 * temporary file and is unpacked into a staging folder beside the target, renamed into place at the end; a failed or
 * cancelled install deletes both.
 */
public final class CudaNatives {
    /** Maven Central, where the jar is published. */
    public static final String CENTRAL = "https://repo1.maven.org/maven2";
    /** The jar's path in a Maven repository. */
    public static final String ARTIFACT = "ai/djl/pytorch/pytorch-native-cu124/2.5.1/"
            + "pytorch-native-cu124-2.5.1-linux-x86_64.jar";
    /** SHA-1 of the jar (2,457,619,283 bytes), as Central's {@code .jar.sha1}; it publishes no .sha256 or .sha512. */
    public static final String SHA1 = "8f0b78003d66f4ffee5c979fdfa64d0350d0d127";
    /** libtorch's build, as the jar's pytorch.properties names it. */
    static final String VERSION = "2.5.1-20241113";
    static final String FLAVOR = "cu124";
    static final String CLASSIFIER = "linux-x86_64";
    /** The DJL version, the prefix of the JNI glue's name in the folder (pom.xml's djl.version). */
    static final String DJL_VERSION = "0.33.0";
    static final String JNI_RESOURCE = "jnilib/" + CLASSIFIER + "/" + FLAVOR + "/libdjl_torch.so";
    static final String JNI_FILE = DJL_VERSION + "-libdjl_torch.so";
    private static final String PROPERTIES = "native/lib/pytorch.properties";
    private static final String IN_JAR = "pytorch/" + FLAVOR + "/" + CLASSIFIER + "/";
    /** Names of this class's temporary files and folders in the cache (left only by a killed install). */
    private static final String TEMPORARY = "plateau-cu124-";
    private static final int CHUNK = 1 << 20;

    /** Told as the bytes go: first those downloaded, then those unpacked. */
    public interface Progress {
        void downloaded(long done, long total);

        default void unpacked(long done, long total) {
        }
    }

    private final Path cache;
    private final URI source;
    private final String sha1;

    /**
     * @param cache  DJL's PyTorch cache, where {@code <version>-cu124-linux-x86_64/} goes
     * @param source the jar's URL
     * @param sha1   the jar's expected SHA-1, in hex
     */
    public CudaNatives(Path cache, URI source, String sha1) {
        this.cache = cache;
        this.source = source;
        this.sha1 = sha1;
    }

    /** From Maven Central into DJL's cache. */
    public static CudaNatives standard() {
        return from(CENTRAL);
    }

    /** From a Maven repository ({@link #CENTRAL} or a mirror of it) into DJL's cache; the digest stays pinned. */
    public static CudaNatives from(String repository) {
        return new CudaNatives(Utils.getEngineCacheDir("pytorch"), URI.create(repository.replaceAll("/+$", "") + "/"
                + ARTIFACT), SHA1);
    }

    /** Where the natives go (and are, once installed). */
    public Path folder() {
        return cache.resolve(VERSION + "-" + FLAVOR + "-" + CLASSIFIER);
    }

    public URI source() {
        return source;
    }

    /** Whether the folder holds libtorch's CUDA build and the JNI glue for it. */
    public boolean installed() {
        Path folder = folder();
        return Files.isRegularFile(folder.resolve("libtorch.so")) && Files.isRegularFile(folder.resolve(
                "libtorch_cuda.so")) && Files.isRegularFile(folder.resolve(JNI_FILE));
    }

    /**
     * The system properties that make DJL load the installed natives: {@code PYTORCH_LIBRARY_PATH}, {@code
     * PYTORCH_FLAVOR} and {@code jna.library.path} (the folder added to {@code jnaLibraryPath}, the current value).
     */
    public Map<String, String> engineProperties(String jnaLibraryPath) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("PYTORCH_LIBRARY_PATH", folder().toString());
        properties.put("PYTORCH_FLAVOR", FLAVOR);
        properties.put("jna.library.path", jnaLibraryPath == null || jnaLibraryPath.isBlank() ? folder().toString()
                : folder() + File.pathSeparator + jnaLibraryPath);
        return properties;
    }

    /**
     * Points DJL at the installed natives, when they are installed, an NVIDIA driver is present (libtorch's CUDA
     * libraries do not load without libcuda.so.1) and the user has not chosen a libtorch with PYTORCH_LIBRARY_PATH.
     * Call it before anything touches the tensor engine; returns whether it did.
     */
    public boolean useIfInstalled() {
        if (!installed() || Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH") != null
                || NvidiaDriver.find().isEmpty()) {
            return false;
        }
        engineProperties(System.getProperty("jna.library.path")).forEach(System::setProperty);
        return true;
    }

    /**
     * Downloads the jar, checks its digest, unpacks its libraries with the JNI glue into {@link #folder()} and
     * returns it; does nothing when already installed. {@code cancelled} is polled after every chunk.
     *
     * @throws IOException           a one-line reason (network, HTTP status, digest, disk); nothing is left behind
     * @throws CancellationException when cancelled; nothing is left behind
     */
    public Path install(Progress progress, BooleanSupplier cancelled) throws IOException {
        if (installed()) {
            return folder();
        }
        if (!System.getProperty("os.name", "").startsWith("Linux") || !"amd64".equals(System.getProperty("os.arch"))) {
            throw new IOException("the CUDA natives on Maven Central are for Linux on x86_64 only");
        }
        Files.createDirectories(cache);
        deleteLeftovers();
        Path jar = Files.createTempFile(cache, TEMPORARY, ".jar.part");
        Path staging = null;
        try {
            download(jar, progress, cancelled);
            staging = Files.createTempDirectory(cache, TEMPORARY);
            unpack(jar, staging, progress, cancelled);
            Files.deleteIfExists(jar);
            delete(folder());
            Files.move(staging, folder(), StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            return folder();
        } finally {
            Files.deleteIfExists(jar);
            if (staging != null) {
                delete(staging);
            }
        }
    }

    private void download(Path jar, Progress progress, BooleanSupplier cancelled) throws IOException {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        String actual;
        try {
            HttpResponse<InputStream> response;
            try {
                response = client.send(HttpRequest.newBuilder(source).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("the CUDA natives download was interrupted");
            } catch (IOException e) {
                throw new IOException(source + " could not be reached: " + reason(e), e);
            }
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException(source + ": HTTP " + response.statusCode()
                            + (response.statusCode() == 404 ? " (not found)" : ""));
                }
                long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                requireRoom(total, "download");
                try {
                    MessageDigest digest = sha1();
                    copy(body, jar, total, digest, cancelled, progress::downloaded);
                    actual = HexFormat.of().formatHex(digest.digest());
                } catch (IOException e) {
                    throw new IOException(source + ": the download failed: " + reason(e), e);
                }
            }
        } finally {
            client.shutdownNow();
        }
        if (!actual.equalsIgnoreCase(sha1)) {
            throw new IOException(source + ": SHA-1 " + actual + " is not the expected " + sha1
                    + "; the download was deleted and nothing installed");
        }
    }

    /** Unpacks the jar's libraries (checked against its pytorch.properties) and the JNI glue into {@code staging}. */
    private void unpack(Path jar, Path staging, Progress progress, BooleanSupplier cancelled) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(PROPERTIES);
            if (entry == null) {
                throw new IOException(source + " holds no " + PROPERTIES + "; it is not a DJL native jar");
            }
            Properties p = new Properties();
            try (InputStream in = zip.getInputStream(entry)) {
                p.load(in);
            }
            String found = p.getProperty("version") + " " + p.getProperty("flavor") + " " + p.getProperty("classifier");
            if (!found.equals(VERSION + " " + FLAVOR + " " + CLASSIFIER)) {
                throw new IOException(source + " holds libtorch " + found + ", not " + VERSION + " " + FLAVOR + " "
                        + CLASSIFIER);
            }
            List<String> libraries = Arrays.stream(p.getProperty("libraries", "").split(",")).map(String::strip)
                    .filter(s -> !s.isEmpty()).toList();
            long sum = 0;
            for (String library : libraries) {
                ZipEntry e = zip.getEntry(IN_JAR + library);
                if (library.contains("/") || library.contains("\\") || library.startsWith(".") || e == null) {
                    throw new IOException(source + ": " + PROPERTIES + " lists " + library + ", which it does not hold");
                }
                sum += e.getSize();
            }
            long total = sum;
            requireRoom(total, "unpack");
            long done = 0;
            for (String library : libraries) {
                long before = done;
                try (InputStream in = zip.getInputStream(zip.getEntry(IN_JAR + library))) {
                    copy(in, staging.resolve(library), -1, null, cancelled,
                            (d, t) -> progress.unpacked(before + d, total));
                }
                done += Files.size(staging.resolve(library));
            }
            try (InputStream jni = CudaNatives.class.getClassLoader().getResourceAsStream(JNI_RESOURCE)) {
                if (jni == null) {
                    throw new IOException("the pytorch-jni jar on the class path lacks " + JNI_RESOURCE);
                }
                Files.copy(jni, staging.resolve(JNI_FILE));
            }
            for (String library : libraries) {
                if (library.startsWith("libcudart") && !library.equals("libcudart.so")) {
                    Files.createSymbolicLink(staging.resolve("libcudart.so"), Path.of(library));
                }
            }
        }
    }

    /** Copies {@code in} to {@code file}, through {@code digest} (unless null), telling the bytes, polling cancelled. */
    private static void copy(InputStream in, Path file, long total, MessageDigest digest, BooleanSupplier cancelled,
                             ByteCount progress) throws IOException {
        byte[] buffer = new byte[CHUNK];
        long done = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
                done += n;
                progress.bytes(done, total);
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("the CUDA natives install was cancelled");
                }
            }
        }
    }

    /** The bytes of one copy so far. */
    @FunctionalInterface
    private interface ByteCount {
        void bytes(long done, long total);
    }

    private void requireRoom(long bytes, String step) throws IOException {
        long free = Files.getFileStore(cache).getUsableSpace();
        if (bytes > 0 && free < bytes) {
            throw new IOException(cache + " has " + free / 1_000_000 + " MB free; the " + step + " needs "
                    + bytes / 1_000_000 + " MB");
        }
    }

    /** Deletes what a killed install left in the cache (one install at a time). */
    private void deleteLeftovers() throws IOException {
        try (Stream<Path> entries = Files.list(cache)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(TEMPORARY)).toList()) {
                delete(p);
            }
        }
    }

    private static void delete(Path path) throws IOException {
        FileTrees.delete(path);
    }

    private static String reason(IOException e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse("");
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first-use download of the CUDA natives, against a local server holding a small jar laid out as Central's
 * pytorch-native-cu124-2.5.1-linux-x86_64.jar is (its pytorch.properties, its libraries under
 * pytorch/cu124/linux-x86_64/), built here with its SHA-1 pinned.
 */
class CudaNativesTest {
    /** SHA-1 of {@link #fakeJar()}: STORED entries at a fixed local time, so its bytes never vary. */
    static final String FAKE_SHA1 = "64b660c21df1aec7f88df5def57bcc1e42a44fea";
    static final String FOLDER = "2.5.1-20241113-cu124-linux-x86_64";
    static final List<String> LIBRARIES = List.of("libc10.so", "libc10_cuda.so", "libcudart-8774224f.so.12",
            "libtorch.so", "libtorch_cpu.so", "libtorch_cuda.so");
    static final int BIG = 3 << 20;

    @TempDir
    Path root;

    private HttpServer server;
    private ExecutorService threads;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger requests = new AtomicInteger();
    private Path cache;

    @BeforeEach
    void serve() throws IOException {
        byte[] jar = fakeJar();
        byte[] corrupt = jar.clone();
        corrupt[corrupt.length / 2] ^= 1;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        server.createContext("/jar", x -> send(x, jar, jar.length));
        server.createContext("/corrupt", x -> send(x, corrupt, corrupt.length));
        server.createContext("/stall", x -> send(x, jar, jar.length / 2));
        server.start();
        cache = root.resolve("djl").resolve("pytorch");
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    /** Sends {@code body} whole, or its first {@code upTo} bytes and then waits for the test's end. */
    private void send(HttpExchange x, byte[] body, int upTo) throws IOException {
        requests.incrementAndGet();
        x.sendResponseHeaders(200, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body, 0, upTo);
            out.flush();
            if (upTo < body.length) {
                release.await();
                out.write(body, upTo, body.length - upTo);
            }
        } catch (InterruptedException | IOException e) {
            // the client went away: what a cancelled download does
        }
    }

    private CudaNatives natives(String path) {
        return new CudaNatives(cache, URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path),
                FAKE_SHA1);
    }

    @Test
    void theFakeJarIsPinned() throws Exception {
        assertEquals(FAKE_SHA1, sha1(fakeJar()));
    }

    @Test
    void downloadsVerifiesAndUnpacksIntoDjlsLayout() throws Exception {
        CudaNatives natives = natives("/jar");
        assertFalse(natives.installed());
        List<long[]> downloaded = new ArrayList<>();
        List<long[]> unpacked = new ArrayList<>();
        Path folder = natives.install(new CudaNatives.Progress() {
            @Override
            public void downloaded(long done, long total) {
                downloaded.add(new long[] {done, total});
            }

            @Override
            public void unpacked(long done, long total) {
                unpacked.add(new long[] {done, total});
            }
        }, () -> false);

        assertEquals(cache.resolve(FOLDER), folder);
        assertTrue(natives.installed());
        int jarBytes = fakeJar().length;
        assertArrayEquals(new long[] {jarBytes, jarBytes}, downloaded.getLast());
        long libraryBytes = 0;
        for (String library : LIBRARIES) {
            assertArrayEquals(library(library), Files.readAllBytes(folder.resolve(library)), library);
            libraryBytes += library(library).length;
        }
        assertArrayEquals(new long[] {libraryBytes, libraryBytes}, unpacked.getLast());
        try (InputStream jni = getClass().getClassLoader().getResourceAsStream(
                "jnilib/linux-x86_64/cu124/libdjl_torch.so")) {
            assertArrayEquals(jni.readAllBytes(), Files.readAllBytes(folder.resolve("0.33.0-libdjl_torch.so")),
                    "the JNI glue for cu124, from the pytorch-jni jar, named as DJL's findJniLibrary looks for it");
        }
        assertEquals(Path.of("libcudart-8774224f.so.12"), Files.readSymbolicLink(folder.resolve("libcudart.so")));
        List<String> expected = new ArrayList<>(LIBRARIES);
        expected.addAll(List.of("0.33.0-libdjl_torch.so", "libcudart.so"));
        assertEquals(expected.stream().sorted().toList(), names(folder));
        assertEquals(List.of(FOLDER), names(cache), "no temporary file or staging folder is left");

        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("PYTORCH_LIBRARY_PATH", folder.toString());
        properties.put("PYTORCH_FLAVOR", "cu124");
        properties.put("jna.library.path", folder + ":/opt/jna");
        assertEquals(properties, natives.engineProperties("/opt/jna"));

        int before = requests.get();
        assertEquals(folder, natives.install((d, t) -> { }, () -> false));
        assertEquals(before, requests.get(), "installed natives are not downloaded again");
    }

    @Test
    void aCorruptedDownloadIsRefusedAndDeleted() throws Exception {
        byte[] corrupt = fakeJar();
        corrupt[corrupt.length / 2] ^= 1;
        CudaNatives natives = natives("/corrupt");
        IOException e = assertThrows(IOException.class, () -> natives.install((d, t) -> { }, () -> false));
        assertTrue(e.getMessage().contains(FAKE_SHA1) && e.getMessage().contains(sha1(corrupt)), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals(List.of(), names(cache));
        assertFalse(natives.installed());
    }

    @Test
    void cancellingMidDownloadLeavesNothing() throws Exception {
        AtomicLong got = new AtomicLong();
        CudaNatives natives = natives("/stall");
        assertThrows(CancellationException.class, () -> natives.install((done, total) -> got.set(done),
                () -> got.get() > 0));
        assertTrue(got.get() > 0 && got.get() <= fakeJar().length / 2, "stopped within the half that was sent");
        assertEquals(List.of(), names(cache));
    }

    @Test
    void cancellingWhileUnpackingLeavesNothing() throws Exception {
        AtomicLong unpacked = new AtomicLong();
        CudaNatives natives = natives("/jar");
        assertThrows(CancellationException.class, () -> natives.install(new CudaNatives.Progress() {
            @Override
            public void downloaded(long done, long total) {
            }

            @Override
            public void unpacked(long done, long total) {
                unpacked.set(done);
            }
        }, () -> unpacked.get() > 0));
        assertEquals(List.of(), names(cache));
    }

    @Test
    void aMissingJarIsOneLine() throws Exception {
        CudaNatives natives = natives("/nothing-here.jar");
        IOException e = assertThrows(IOException.class, () -> natives.install((d, t) -> { }, () -> false));
        assertEquals(natives.source() + ": HTTP 404 (not found)", e.getMessage());
        assertEquals(List.of(), names(cache));
    }

    @Test
    void anUnreachableServerIsOneLine() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        CudaNatives natives = new CudaNatives(cache, URI.create("http://127.0.0.1:" + port + "/jar"), FAKE_SHA1);
        IOException e = assertThrows(IOException.class, () -> natives.install((d, t) -> { }, () -> false));
        assertTrue(e.getMessage().startsWith(natives.source() + " could not be reached: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals(List.of(), names(cache));
    }

    /** The constants name what the DJL and libtorch on the class path expect: a version bump must revisit them. */
    @Test
    void theLayoutMatchesTheDjlOnTheClassPath() throws Exception {
        Properties engine = resource("pytorch-engine.properties");
        Properties cpu = resource("native/lib/pytorch.properties");
        assertEquals("0.33.0", engine.getProperty("djl_version"));
        assertEquals("2.5.1", engine.getProperty("pytorch_version"));
        assertEquals(FOLDER, cpu.getProperty("version") + "-cu124-" + cpu.getProperty("classifier"),
                "the CPU jar of the same libtorch build");
        assertEquals(FOLDER, CudaNatives.standard().folder().getFileName().toString());
        assertEquals(URI.create("https://repo1.maven.org/maven2/ai/djl/pytorch/pytorch-native-cu124/2.5.1/"
                + "pytorch-native-cu124-2.5.1-linux-x86_64.jar"), CudaNatives.standard().source());
        assertEquals(URI.create("https://mirror.example/m2/ai/djl/pytorch/pytorch-native-cu124/2.5.1/"
                + "pytorch-native-cu124-2.5.1-linux-x86_64.jar"), CudaNatives.from("https://mirror.example/m2/")
                .source());
    }

    private Properties resource(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
            p.load(in);
        }
        return p;
    }

    /** A jar with the real one's layout and small libraries (one of 3 MiB, so that a download takes many reads). */
    static byte[] fakeJar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            for (String library : LIBRARIES) {
                entry(zip, "pytorch/cu124/linux-x86_64/" + library, library(library));
            }
            entry(zip, "native/lib/pytorch.properties", ("version=2.5.1-20241113\nflavor=cu124\nclassifier="
                    + "linux-x86_64\nlibraries=" + String.join(",", LIBRARIES) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    static byte[] library(String name) {
        if (name.equals("libtorch_cuda.so")) {
            byte[] big = new byte[BIG];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31 + i / 4093);
            }
            return big;
        }
        return ("not really " + name).getBytes(StandardCharsets.UTF_8);
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTimeLocal(LocalDateTime.of(2024, 11, 13, 3, 9));
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    static String sha1(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    }

    private static List<String> names(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}

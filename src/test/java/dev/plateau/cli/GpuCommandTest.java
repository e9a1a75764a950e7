package dev.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.sun.net.httpserver.HttpServer;
import dev.plateau.engine.CudaNatives;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code plateau gpu}: its usage, its status lines, and install's one-line refusals (never a real download). */
class GpuCommandTest {

    @Test
    void gpuAloneListsItsCommands() {
        Cli.Result r = Cli.plateau("gpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("status") && r.out().contains("install"), r.out());
    }

    @Test
    void statusSaysWhatIsInstalledTheDriverAndWhatAutoPicks() {
        Cli.Result r = Cli.plateau("gpu", "status");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("CUDA natives: "), lines.get(0));
        assertTrue(lines.get(0).contains(CudaNatives.standard().folder().toString()), lines.get(0));
        assertTrue(lines.get(1).startsWith("NVIDIA driver: "), lines.get(1));
        assertTrue(lines.get(2).startsWith("--device auto: "), lines.get(2));
    }

    @Test
    void aRepositoryWithoutTheJarIsOneLine() throws Exception {
        assumeFalse(CudaNatives.standard().installed(), "installed natives are never downloaded again");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        try {
            String repository = "http://127.0.0.1:" + server.getAddress().getPort() + "/m2";
            Cli.Result r = Cli.plateau("gpu", "install", "--repository", repository);
            assertEquals(Main.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
            assertEquals("plateau: " + repository + "/ai/djl/pytorch/pytorch-native-cu124/2.5.1/"
                    + "pytorch-native-cu124-2.5.1-linux-x86_64.jar: HTTP 404 (not found)\n", r.err());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aRepositoryThatIsNotAnHttpUrlIsRefused() {
        Cli.Result r = Cli.plateau("gpu", "install", "--repository", "ftp://mirror.example/m2");
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertEquals("plateau: --repository must be an http(s) URL of a Maven repository, not "
                + "ftp://mirror.example/m2\n", r.err());
    }
}

// Starts one OpenSearch node from the jars the pinned pom resolves: the server with the netty4 HTTP transport as a
// classpath plugin (what the distribution loads from modules/; the Maven jar has no plugin descriptor to load it so).
// Run as a single-file program: java -cp <classpath> Launcher.java <home> <data> <http-port>. Single node, loopback,
// no security plugin (not served here): plain HTTP without authentication.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

public class Launcher {
    static final class LocalNode extends Node {
        LocalNode(Environment env) {
            super(env, List.of(Netty4Plugin.class), true);
        }
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        Path data = Path.of(args[1]);
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("plugins"));
        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", data.toString())
            .put("path.logs", data.resolve("logs").toString())
            .put("cluster.name", "eco2-e2e")
            .put("node.name", "eco2-e2e-0")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", args[2])
            .put("transport.port", args.length > 3 ? args[3] : "0")
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            // A test node on a shared disk: no flood-stage read-only switch when the disk is nearly full.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, java.util.Map.of(), home.resolve("config"), () -> "eco2-e2e-0");
        Node node = new LocalNode(env);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try { node.close(); } catch (Exception e) { e.printStackTrace(); }
            stopped.countDown();
        }));
        node.start();
        System.out.println("opensearch started on 127.0.0.1:" + args[2]);
        stopped.await();
    }
}

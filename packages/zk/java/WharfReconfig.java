package io.wharf.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.Stat;

/**
 * Dynamic reconfiguration of a ZooKeeper ensemble (Wharf, packages/zk/src/ensemble.ts).
 *
 * node-zookeeper-client has no reconfig request, so the director runs this class with the
 * server's own jars: `WharfReconfig <connectString> <joining|-> <leaving|->`, where joining is a
 * comma-separated list of `server.N=host:quorum:election:participant;host:client` specs and
 * leaving a comma-separated list of server ids. `WharfReconfig <connectString> - - <members>
 * <fromConfig|->` asks for a non-incremental one instead: the whole new membership (comma-separated
 * specs), optionally only if the configuration is still version fromConfig (hex); with members
 * `-` it is the incremental change of args 2 and 3 under that same condition. A TLS ensemble
 * needs that form: its specs carry no client address (it would open a plaintext client port),
 * and an incremental add refuses a spec without one. Reconfiguration is a super-user operation: the
 * credential comes from the WHARF_ZK_SUPER_AUTH environment variable (`super:<password>`), never
 * from argv, where any local user could read it. Prints the new configuration on success; exits
 * 1 with the server's error on stderr otherwise.
 */
public final class WharfReconfig {

    private static final int SESSION_TIMEOUT_MS = 10_000;
    private static final int CONNECT_TIMEOUT_S = 15;

    private WharfReconfig() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 5) {
            System.err.println("usage: WharfReconfig <connectString> <joining|-> <leaving|-> [<members> <fromConfig|->]");
            System.exit(2);
        }
        String auth = System.getenv("WHARF_ZK_SUPER_AUTH");
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeperAdmin admin = new ZooKeeperAdmin(args[0], SESSION_TIMEOUT_MS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        try {
            if (!connected.await(CONNECT_TIMEOUT_S, TimeUnit.SECONDS)) {
                System.err.println("cannot connect to " + args[0]);
                System.exit(1);
            }
            if (auth != null && !auth.isEmpty()) {
                admin.addAuthInfo("digest", auth.getBytes(StandardCharsets.UTF_8));
            }
            String joining = "-".equals(args[1]) ? null : args[1];
            String leaving = "-".equals(args[2]) ? null : args[2];
            String members = args.length == 5 && !"-".equals(args[3]) ? args[3] : null;
            long fromConfig = args.length == 5 && !"-".equals(args[4]) ? Long.parseLong(args[4], 16) : -1;
            byte[] config = admin.reconfigure(joining, leaving, members, fromConfig, new Stat());
            System.out.println(new String(config, StandardCharsets.UTF_8));
        } catch (Exception e) {
            System.err.println(e.toString());
            System.exit(1);
        } finally {
            admin.close();
        }
    }
}

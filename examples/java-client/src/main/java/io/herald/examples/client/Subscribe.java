package io.herald.examples.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.client.HeraldClient;
import io.herald.client.IdentityStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A command-line subscriber on Herald's Java client, run by {@code examples/java-client/subscribe}:
 * {@code --url <bayeux url> --channel <channel or pattern> (repeatable) [--identity-file <path>] [--ack]}.
 * Without an identity file the identity lives in memory; with one, a restarted process resumes its session and
 * gets what was published while it was down. One JSON line per message
 * ({@code {"channel","position":{"epoch","offset"},"data","redelivered"}}) or gap ({@code {"gap":{...}}}) on
 * stdout, flushed; state changes on stderr; exits 0 on SIGTERM after {@link HeraldClient#stop()}.
 */
public final class Subscribe {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        URI url = null;
        Path identity = null;
        boolean ack = false;
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = URI.create(args[++i]);
                case "--channel" -> channels.add(args[++i]);
                case "--identity-file" -> identity = Path.of(args[++i]);
                case "--ack" -> ack = true;
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (url == null || channels.isEmpty()) {
            System.err.println("usage: --url <bayeux url> --channel <channel> [--channel ...] [--identity-file <path>] [--ack]");
            System.exit(2);
        }
        HeraldClient client = HeraldClient.builder(url)
                .identityStore(identity == null ? IdentityStore.memory() : IdentityStore.file(identity))
                .acknowledged(ack)
                .onStateChange((state, cause) -> System.err.println("state " + state + (cause == null ? "" : " " + cause)))
                .onMissed(gap -> {
                    ObjectNode line = JSON.createObjectNode();
                    ObjectNode g = line.putObject("gap");
                    g.put("channel", gap.channel().value());
                    g.put("after", gap.after());
                    g.put("firstAvailable", gap.firstAvailable());
                    g.put("count", gap.missed());
                    g.put("reset", gap.reset());
                    print(line);
                })
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            client.stop();
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }));
        client.connect().join();
        for (String channel : channels) {
            client.subscribe(channel, m -> {
                ObjectNode line = JSON.createObjectNode();
                line.put("channel", m.channel().value());
                if (m.position() != null) {
                    line.putObject("position").put("epoch", m.position().epoch()).put("offset", m.position().offset());
                }
                line.set("data", m.data());
                line.put("redelivered", m.redelivered());
                print(line);
            }).join();
            System.err.println("subscribed " + channel);
        }
        new CountDownLatch(1).await();
    }

    private static synchronized void print(ObjectNode line) {
        System.out.println(line);
        System.out.flush();
    }
}

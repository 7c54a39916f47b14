import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * RabbitMQ CPU per routed message and per queue delivery, the AMQP pattern of broker-rabbitmq: one topic
 * exchange, Q exclusive queues ("nodes"), each on its own connection, bound to the key, consumed with
 * prefetch 1000 and acks in batches of 250; one publisher with confirms, 256 in flight, 100-byte bodies.
 * CPU is utime+stime of the RabbitMQ node (its beam.smp pid) over the run. Run against a private node.
 * Usage: java -cp amqp-client.jar:slf4j-api.jar RabbitDeliveryCpu.java PORT BEAM_PID MESSAGES QUEUES...
 */
public class RabbitDeliveryCpu {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long beam = Long.parseLong(args[1]);
        int messages = Integer.parseInt(args[2]);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(port);
        byte[] body = new byte[100];
        for (int q = 3; q < args.length; q++) {
            int queues = Integer.parseInt(args[q]);
            String exchange = "sizing-" + System.nanoTime();
            List<Connection> nodes = new ArrayList<>();
            CountDownLatch received = new CountDownLatch(messages * queues);
            try (Connection pubConn = factory.newConnection("publisher")) {
                Channel pub = pubConn.createChannel();
                pub.exchangeDeclare(exchange, "topic", false, true, null);
                for (int i = 0; i < queues; i++) {
                    Connection node = factory.newConnection("node-" + i);
                    nodes.add(node);
                    Channel ch = node.createChannel();
                    ch.basicQos(1000);
                    String queue = ch.queueDeclare("", false, true, true, null).getQueue();
                    ch.queueBind(queue, exchange, "bench.room");
                    ch.basicConsume(queue, false, new DefaultConsumer(ch) {
                        private int unacked;
                        @Override
                        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties p, byte[] b) throws java.io.IOException {
                            if (++unacked >= 250) {
                                getChannel().basicAck(envelope.getDeliveryTag(), true);
                                unacked = 0;
                            }
                            received.countDown();
                        }
                    });
                }
                Semaphore window = new Semaphore(256);
                pub.confirmSelect();
                confirmed = 0;
                pub.addConfirmListener((tag, multiple) -> window.release(countUpTo(tag)), (tag, multiple) -> {
                    throw new IllegalStateException("nack " + tag);
                });
                long cpu0 = cpuTicks(beam);
                long t0 = System.nanoTime();
                for (int i = 0; i < messages; i++) {
                    window.acquire();
                    pub.basicPublish(exchange, "bench.room", null, body);
                }
                if (!received.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("only " + (messages * queues - received.getCount()) + " of " + messages * queues + " delivered");
                }
                long t1 = System.nanoTime();
                long cpu1 = cpuTicks(beam);
                double cpuSeconds = (cpu1 - cpu0) / 100.0;
                System.out.printf("queues=%d messages=%d deliveries=%d wall_s=%.2f rabbit_cpu_s=%.2f us_per_message=%.2f us_per_delivery=%.2f deliveries_per_s=%.0f%n",
                        queues, messages, (long) messages * queues, (t1 - t0) / 1e9, cpuSeconds,
                        cpuSeconds * 1e6 / messages, cpuSeconds * 1e6 / ((long) messages * queues),
                        (double) messages * queues / ((t1 - t0) / 1e9));
            } finally {
                for (Connection node : nodes) {
                    node.close();
                }
            }
        }
    }

    private static long confirmed;

    /** A confirm covers every tag up to its own (one channel confirms in order). */
    private static synchronized int countUpTo(long tag) {
        int n = (int) (tag - confirmed);
        confirmed = tag;
        return n;
    }

    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}

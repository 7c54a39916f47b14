package io.herald.bench.load;

/**
 * One kind of load the generator drives: what sending message {@code seq} means, and how its deliveries come
 * back. The generator calls {@link #send} on a fixed schedule (open loop) and measures each delivery's
 * latency from the time the message was scheduled, not sent, so a stalled server cannot hide its stalls
 * (coordinated omission).
 *
 * <p>A scenario that receives messages (e.g. N SSE connections on one channel, a publisher at a fixed rate)
 * reads the sequence number from each message's payload (see {@link LoadPayload}) and reports it per
 * receiving connection; the generator then counts lost, duplicated and reordered deliveries per connection.
 *
 * <p>Lifecycle: {@link #open} once per run, then {@link #send} from the one scheduler thread, then
 * {@link #close}. {@link #send} must not block.
 */
public interface Scenario extends AutoCloseable {

    /** Short name for the printout, e.g. {@code publish}. */
    String name();

    /** Connects and subscribes whatever the scenario needs; deliveries go to {@code sink}. */
    void open(DeliverySink sink) throws Exception;

    /** Sends message {@code seq} without blocking. */
    void send(long seq);

    /** Deliveries one send produces: 1 for an acknowledged publish, N for N subscribed connections. */
    int deliveriesPerSend();

    /** Whether each stream must see sequence numbers in send order; if not, reordering is not counted. */
    boolean ordered();

    /** The probe of the server under load; valid after {@link #open}. */
    ServerProbe probe();

    @Override
    void close() throws Exception;
}

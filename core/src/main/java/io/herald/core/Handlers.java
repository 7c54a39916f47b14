package io.herald.core;

import com.google.inject.Binder;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.binder.LinkedBindingBuilder;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.name.Names;
import java.util.Map;

/**
 * The handlers transports register by name, so that {@link Herald#handler(String, Class)} hands an embedding
 * application the SSE transport's Jetty handler as {@code "sse"} without it touching Guice. Core knows no
 * HTTP: handlers are plain objects here, typed by whoever mounts them.
 *
 * <p>In a transport's module: {@code Handlers.bind(binder(), "sse").to(SseRoutes.class);}
 */
public final class Handlers {

    /** The map of every registered handler by name. */
    static final Key<Map<String, Object>> KEY = Key.get(new TypeLiteral<Map<String, Object>>() { }, Names.named("herald.handlers"));

    private Handlers() {
    }

    /** Registers the handler named {@code name}; two modules registering one name fail the build. */
    public static LinkedBindingBuilder<Object> bind(Binder binder, String name) {
        return map(binder).addBinding(name);
    }

    /** Declares the (possibly empty) map; core does, so that a Herald without transports answers lookups. */
    static MapBinder<String, Object> map(Binder binder) {
        return MapBinder.newMapBinder(binder, new TypeLiteral<String>() { }, new TypeLiteral<Object>() { }, Names.named("herald.handlers"));
    }
}

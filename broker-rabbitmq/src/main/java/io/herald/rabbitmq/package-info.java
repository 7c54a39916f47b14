/**
 * The {@code rabbitmq} broker plugin: cross-node fan-out through one RabbitMQ topic exchange, one exclusive
 * queue per node bound by the channels its clients listen to, publisher confirms pipelined on the publish
 * path, and automatic recovery followed by a resync from history. See the module's README.
 */
package io.herald.rabbitmq;

package dev.pekkooperator.sample;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * A Pekko application as the Pekko Management docs describe one: start Pekko Management (the HTTP endpoints that
 * contact points and probes use), then Cluster Bootstrap (discovery through the Kubernetes API and joining).
 *
 * <p>The actor system's name is part of every node address, so every pod of one cluster must use the same: a
 * ClusterBootstrap running this app sets {@code actorSystemName: pekko-sample}. SIGTERM runs Pekko's coordinated
 * shutdown through the JVM shutdown hook (the default): the node leaves the cluster, then the JVM exits.
 */
public final class Main {
  static final String ACTOR_SYSTEM_NAME = "pekko-sample";

  private Main() {}

  public static void main(String[] args) {
    ActorSystem system = ActorSystem.create(ACTOR_SYSTEM_NAME);
    LoggingAdapter log = system.log();
    Cluster cluster = Cluster.get(system);

    // Lines that tests and people can grep for; Pekko's own bootstrap and discovery messages are logged as well.
    cluster.registerOnMemberUp(
        () -> log.info("pekko-sample: member up: self {}", cluster.selfAddress()));
    cluster.registerOnMemberRemoved(
        () -> log.info("pekko-sample: member removed: self {}", cluster.selfAddress()));

    PekkoManagement.get(system)
        .start()
        .whenComplete(
            (uri, error) -> {
              if (error != null) {
                // Without its management endpoint the node can never be a contact point: stop, and let the
                // orchestrator restart it.
                log.error(error, "pekko-sample: Pekko Management failed to start; terminating");
                system.terminate();
                system.getWhenTerminated().thenRun(() -> System.exit(1));
              } else {
                log.info("pekko-sample: Pekko Management listening at {}", uri);
              }
            });
    try {
      ClusterBootstrap.get(system).start();
    } catch (Exception e) {
      // E.g. the service account's ca.crt is missing: Pekko's kubernetes-api discovery reads it when it starts and
      // throws java.nio.file.NoSuchFileException (Scala code throws checked exceptions too, hence Exception).
      // A node that can never bootstrap must not sit there alive but unready: exit non-zero so the pod restarts
      // and its log says why.
      log.error(e, "pekko-sample: Cluster Bootstrap failed to start; terminating");
      system.terminate();
      system.getWhenTerminated().thenRun(() -> System.exit(1));
    }
  }
}

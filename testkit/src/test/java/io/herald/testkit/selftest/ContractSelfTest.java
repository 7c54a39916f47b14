package io.herald.testkit.selftest;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contracts are tested too: each kit in this package runs a contract against a deliberately WRONG
 * implementation, and these tests require the contract test aimed at that fault to fail with the message
 * that names it, while contract tests aimed at what the implementation gets right pass.
 */
@DisplayName("The contracts catch broken implementations")
class ContractSelfTest {

    @Nested
    @DisplayName("HistoryStoreContract")
    class History {

        @Test
        @DisplayName("catches duplicate offsets under concurrent appends")
        void duplicateOffsets() {
            KitRun.of(ThreadCountedOffsetsKit.class)
                    .requireFailure("required_history_1_4_concurrentAppendsGetDistinctConsecutiveOffsets",
                            "offsets handed out on", "by 8 threads appending concurrently", "duplicate")
                    .requireSuccess("required_history_1_1_consecutiveOffsetsFromOne")
                    .requireSuccess("required_history_2_3_retentionGapCountsWhatIsLost");
        }

        @Test
        @DisplayName("catches a store that never reports gaps")
        void noGaps() {
            KitRun.of(GaplessHistoryKit.class)
                    .requireFailure("required_history_2_3_retentionGapCountsWhatIsLost",
                            "retention gap after offset 3 when 8..12 are retained", "null")
                    .requireFailure("required_history_2_5_ageRetentionDropsOldMessages", "gap after offset 1 when 2..3 aged out")
                    .requireFailure("required_history_4_1_otherEpochGetsReset", "gap for a position of another epoch")
                    .requireFailure("required_history_4_2_beyondTheHeadGetsReset", "gap for a position beyond the head")
                    .requireFailure("required_history_6_2_positionFromBeforeTheLossGetsReset", "after the history was lost")
                    .requireSuccess("required_history_1_4_concurrentAppendsGetDistinctConsecutiveOffsets")
                    .requireSuccess("required_history_3_3_limitAndComplete");
        }

        @Test
        @DisplayName("catches a store that stores every retry again")
        void repeatedRetries() {
            KitRun.of(RepeatingHistoryKit.class)
                    .requireFailure("required_history_8_1_retryReturnsTheOriginalAndStoresNothing", "what a retry of a retained id returned")
                    .requireFailure("required_history_8_3_concurrentRetriesStoreOnce", "what 16 concurrent appends of one id returned")
                    .requireSuccess("required_history_8_2_idsArePerChannelAndOptional")
                    .requireSuccess("required_history_9_1_asyncAppendsKeepCallOrder");
        }

        @Test
        @DisplayName("catches an epoch that survives the loss of history")
        void fixedEpoch() {
            KitRun.of(FixedEpochHistoryKit.class)
                    .requireFailure("required_history_6_1_lostHistoryChangesTheEpoch", "after its history was lost (was fixed)")
                    .requireSuccess("required_history_2_3_retentionGapCountsWhatIsLost")
                    .requireSuccess("required_history_4_1_otherEpochGetsReset");
        }
    }

    @Nested
    @DisplayName("SessionStoreContract")
    class Sessions {

        @Test
        @DisplayName("catches sessions that never expire")
        void neverExpires() {
            KitRun.of(ImmortalSessionKit.class)
                    .requireFailure("required_session_1_5_expiredSessionIsGone", "sessions with a TTL of 300 ms expire")
                    .requireFailure("required_session_6_2_concurrentPurgeHandsOutEachOnce", "sessions with a TTL of 300 ms expire")
                    .requireSuccess("required_session_4_2_windowIsBounded");
        }

        @Test
        @DisplayName("catches an unbounded unacked window")
        void unboundedWindow() {
            KitRun.of(UnboundedWindowKit.class)
                    .requireFailure("required_session_4_2_windowIsBounded", "delivered with 3 of 3 positions unacked")
                    .requireSuccess("required_session_4_1_deliveredRecordsUnacked")
                    .requireSuccess("required_session_6_2_concurrentPurgeHandsOutEachOnce");
        }

        @Test
        @DisplayName("catches expired sessions handed out more than once")
        void repeatedPurge() {
            KitRun.of(RepeatedPurgeSessionKit.class)
                    .requireFailure("required_session_6_1_purgeReturnsEachExpiredSessionOnce", "ids purged by a second call")
                    .requireFailure("required_session_6_2_concurrentPurgeHandsOutEachOnce",
                            "expired sessions handed out by 8 threads purging at once", "duplicate")
                    .requireSuccess("required_session_1_5_expiredSessionIsGone");
        }

        @Test
        @DisplayName("catches a claim that finds and creates in two steps")
        void racyClaim() {
            KitRun.of(RacyClaimSessionKit.class)
                    .requireFailure("required_session_8_7_racingClaimsAgree", "by racing claims (seed")
                    .requireSuccess("required_session_8_1_claimCreatesOnceThenFinds")
                    .requireSuccess("required_session_8_5_anotherNodeFindsTheName");
        }
    }

    @Nested
    @DisplayName("PresenceStoreContract")
    class Presence {

        @Test
        @DisplayName("catches a heartbeat that resets joinedAt")
        void heartbeatRejoins() {
            KitRun.of(HeartbeatRejoinsKit.class)
                    .requireFailure("required_presence_1_3_heartbeatKeepsJoinedAt", "joinedAt after a heartbeat")
                    .requireSuccess("required_presence_1_2_membersInJoiningOrder")
                    .requireSuccess("required_presence_3_2_concurrentPurgeHandsOutEachOnce");
        }

        @Test
        @DisplayName("catches expired members handed out more than once")
        void repeatedPurge() {
            KitRun.of(RepeatedPurgePresenceKit.class)
                    .requireFailure("required_presence_3_1_purgeReturnsEachExpiredMemberOnce", "members purged by a second call")
                    .requireFailure("required_presence_3_2_concurrentPurgeHandsOutEachOnce",
                            "expired members handed out by 8 threads purging at once", "duplicate")
                    .requireSuccess("required_presence_2_1_expiredMemberIsNotListed");
        }

        @Test
        @DisplayName("catches users taken offline more than once")
        void repeatedOffline() {
            KitRun.of(RepeatedOfflineKit.class)
                    .requireFailure("required_presence_4_2_offlineOnlyAfterTheLastClientAndTheGrace", "users offline on a second purge")
                    .requireFailure("required_presence_4_6_concurrentPurgesTakeEachUserOfflineOnce",
                            "users taken offline by 8 threads purging on two nodes", "duplicate")
                    .requireSuccess("required_presence_4_1_threeClientsAreOneUser")
                    .requireSuccess("required_presence_5_2_timeAccumulates");
        }

        @Test
        @DisplayName("catches clients counted as users of their own")
        void perConnectionUsers() {
            KitRun.of(PerConnectionUsersKit.class)
                    .requireFailure("required_presence_4_1_threeClientsAreOneUser", "alice's second and third clients joining")
                    .requireFailure("required_presence_4_5_concurrentArrivalsJoinEachUserOnce", "users told as joined by 160 concurrent arrivals")
                    .requireSuccess("required_presence_1_2_membersInJoiningOrder")
                    .requireSuccess("required_presence_2_1_expiredMemberIsNotListed");
        }
    }

    @Nested
    @DisplayName("BrokerContract")
    class Brokers {

        @Test
        @DisplayName("catches messages delivered out of order")
        void reordering() {
            KitRun.of(SwappingBrokerKit.class)
                    .requireFailure("required_broker_1_2_keepsPerChannelOrder", "offsets received from", "in arrival order")
                    .requireFailure("required_broker_2_3_patternKeepsPerChannelOrder", "received through /feed/*");
        }

        @Test
        @DisplayName("catches a close that does not stop delivery")
        void leakyClose() {
            KitRun.of(LeakyCloseBrokerKit.class)
                    .requireFailure("required_broker_3_1_closeStopsDelivery", "after its subscription was closed")
                    .requireFailure("required_broker_3_2_closeIsIdempotent", "a subscription closed twice")
                    .requireSuccess("required_broker_1_2_keepsPerChannelOrder")
                    .requireSuccess("required_broker_2_1_oneSegmentWildcard");
        }

        @Test
        @DisplayName("catches a subscribe that returns before the subscription is active")
        void lateSubscribe() {
            KitRun.of(LateSubscribeBrokerKit.class)
                    .requireFailure("required_broker_1_1_receivesWhatIsPublishedAfterSubscribe", "receives 2 messages");
        }

        @Test
        @DisplayName("catches a publishAsync that never confirms")
        void unconfirmed() {
            KitRun.of(UnconfirmedBrokerKit.class)
                    .requireFailure("required_broker_6_1_publishAsyncCompletesAndKeepsOrder", "the 500 publishAsync futures complete")
                    .requireFailure("required_broker_6_2_completedMeansDelivered", "publishAsync completes")
                    .requireSuccess("required_broker_1_2_keepsPerChannelOrder");
        }
    }

    @Nested
    @DisplayName("SubscriptionBacklogContract")
    class Backlog {

        @Test
        @DisplayName("catches a backlog that keeps nothing (history alone)")
        void keepsNothing() {
            KitRun.of(NoBacklogKit.class)
                    .requireFailure("required_backlog_1_1_keepsEverythingAfterOpenInOrder", "what backlog", "keeps")
                    .requireFailure("required_backlog_1_4_reopenKeeps", "closed and opened again")
                    .requireSuccess("required_backlog_2_4_unknownNameIsEmpty")
                    .requireSuccess("required_backlog_4_1_defaultNamesAreDistinct");
        }

        @Test
        @DisplayName("catches a read that takes messages away")
        void destructiveRead() {
            KitRun.of(DestructiveReadBacklogKit.class)
                    .requireFailure("required_backlog_2_1_readAfterPositionWithLimit", "the same read again")
                    .requireFailure("required_backlog_2_2_closeGivesBackWhatWasRead", "read again after close")
                    .requireSuccess("required_backlog_1_2_nothingFromBeforeOpen")
                    .requireSuccess("required_backlog_3_4_delete");
        }
    }
}

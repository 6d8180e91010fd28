package io.meshca.server.datastore;

import io.meshca.server.model.Change;
import io.meshca.server.registration.ChangeLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

final class JdbcChangeLog implements ChangeLog {

    private final Jdbc jdbc;

    JdbcChangeLog(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public long currentRevision() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT MAX(revision) FROM changes");
                    ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : 0L;
            }
        });
    }

    @Override
    public List<Change> since(long revision, int limit) {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT revision, kind, object_id, parent_id, op FROM changes"
                    + " WHERE revision > ? ORDER BY revision LIMIT ?")) {
                s.setLong(1, revision);
                s.setInt(2, limit);
                List<Change> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new Change(
                                r.getLong(1),
                                Change.Kind.valueOf(r.getString(2)),
                                r.getString(3),
                                r.getString(4),
                                Change.Op.valueOf(r.getString(5))));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Deletes the changes recorded before {@code cutoff}, except the newest change of all: the latest
     * revision stays readable whatever the age of the last write. Watches and change feeds meet the
     * missing revisions as a gap and resynchronise (a snapshot, a reload); they never skip a change.
     */
    int pruneBefore(Instant cutoff) {
        return jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM changes WHERE created_at < ?"
                    + " AND revision < (SELECT MAX(revision) FROM changes)")) {
                s.setLong(1, cutoff.toEpochMilli());
                return s.executeUpdate();
            }
        });
    }
}

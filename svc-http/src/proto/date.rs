//! The `date` header field (RFC 9110 §6.6.1: an origin server with a clock sends one),
//! formatted once per second per thread.
//!
//! Whether the cached line is still current is decided on the runtime's coarse clock
//! ([`Instant::recent`], the time of the driver's last turn), not by reading the system
//! clock for every response: the wall-clock time is read only when the second changes,
//! and the end of that second is kept as a monotonic instant. A response may thus carry
//! the previous second for as long as the driver's reading lags (a fraction of a
//! millisecond on a busy server), which the field's one-second resolution absorbs.

use std::cell::RefCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rt_core::time::Instant;

/// `Sun, 06 Nov 1994 08:49:37 GMT`
const LEN: usize = 29;
/// `date: <date>\r\n`
const LINE: usize = LEN + 8;

struct Cached {
    /// The monotonic instants between which the line is current (`None`: not made yet):
    /// the start of the second it shows, and of the next one.
    span: Option<(Instant, Instant)>,
    /// The whole field line, appended in one copy.
    line: [u8; LINE],
}

thread_local! {
    static CACHE: RefCell<Cached> = const { RefCell::new(Cached { span: None, line: [b' '; LINE] }) };
}

/// Appends `date: <now>\r\n`.
pub(crate) fn append(buf: &mut Vec<u8>) {
    let now = Instant::recent();
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.span.is_some_and(|(from, until)| from <= now && now < until) {
            // The second changed (or the clock jumped): read the wall clock once.
            let wall = SystemTime::now();
            let since_epoch = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
            let into_second = Duration::from_nanos(u64::from(since_epoch.subsec_nanos()));
            let from = now.checked_sub(into_second).unwrap_or(now);
            cache.span = Some((from, from + Duration::from_secs(1)));
            cache.line[..6].copy_from_slice(b"date: ");
            cache.line[6..6 + LEN].copy_from_slice(&format(since_epoch.as_secs()));
            cache.line[6 + LEN..].copy_from_slice(b"\r\n");
        }
        buf.extend_from_slice(&cache.line);
    });
}

/// IMF-fixdate of a Unix time.
fn format(secs: u64) -> [u8; LEN] {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
    ];
    let days = secs / 86_400;
    let (year, month, day) = civil(days);
    let rem = secs % 86_400;
    let mut out = [b' '; LEN];
    out[..3].copy_from_slice(DAYS[(days % 7) as usize]);
    out[3] = b',';
    two(&mut out[5..7], day);
    out[8..11].copy_from_slice(MONTHS[month as usize - 1]);
    two(&mut out[12..14], year / 100);
    two(&mut out[14..16], year % 100);
    two(&mut out[17..19], rem / 3600);
    out[19] = b':';
    two(&mut out[20..22], rem / 60 % 60);
    out[22] = b':';
    two(&mut out[23..25], rem % 60);
    out[26..29].copy_from_slice(b"GMT");
    out
}

fn two(out: &mut [u8], n: u64) {
    out[0] = b'0' + (n / 10 % 10) as u8;
    out[1] = b'0' + (n % 10) as u8;
}

/// (year, month 1-12, day 1-31) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_imf_fixdate() {
        assert_eq!(&format(784_111_777), b"Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(&format(0), b"Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(&format(951_782_400), b"Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(&format(1_798_761_599), b"Thu, 31 Dec 2026 23:59:59 GMT");
    }

    #[test]
    fn shows_the_current_second() {
        let secs = || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        for _ in 0..3 {
            let before = secs();
            let mut buf = Vec::new();
            append(&mut buf);
            let after = secs();
            let shown = &buf[6..6 + LEN];
            assert!(
                shown == format(before) || shown == format(after),
                "{}",
                String::from_utf8_lossy(shown)
            );
            std::thread::sleep(Duration::from_millis(400));
        }
    }

    #[test]
    fn appends_one_field_line() {
        let mut buf = b"x".to_vec();
        append(&mut buf);
        append(&mut buf);
        assert_eq!(buf.len(), 1 + 2 * LINE);
        let line = &buf[1..1 + LINE];
        assert!(line.starts_with(b"date: ") && line.ends_with(b" GMT\r\n"));
    }
}

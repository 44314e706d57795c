//! Redis's CPU list syntax (`server_cpulist 0-7:2`), used by `writer-cpulist`.
//!
//! A list is comma-separated items, each a CPU (`3`), a range (`0-3`) or a range with a
//! step (`0-7:2` is 0, 2, 4, 6).

/// The highest CPU a list may name; the kernel's CPU sets hold 1024.
const MAX_CPU: usize = 1023;

/// The CPUs `text` names, in order, each once; an error says what is wrong with it.
pub fn parse_cpu_list(text: &str) -> Result<Vec<usize>, String> {
    let mut cpus = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        let (range, step) = match item.split_once(':') {
            Some((range, step)) => (range, number(step, item)?),
            None => (item, 1),
        };
        let (first, last) = match range.split_once('-') {
            Some((first, last)) => (number(first, item)?, number(last, item)?),
            None => {
                let cpu = number(range, item)?;
                (cpu, cpu)
            }
        };
        if step == 0 || first > last {
            return Err(format!("'{item}' is not a CPU range"));
        }
        if last > MAX_CPU {
            return Err(format!("CPU {last} is past {MAX_CPU}"));
        }
        for cpu in (first..=last).step_by(step) {
            if !cpus.contains(&cpu) {
                cpus.push(cpu);
            }
        }
    }
    Ok(cpus)
}

/// A list in the shortest form `parse_cpu_list` reads back: the CPUs, comma-separated.
pub(crate) fn format_cpu_list(cpus: &[usize]) -> String {
    cpus.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

fn number(text: &str, item: &str) -> Result<usize, String> {
    let digits = text.trim();
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(format!(
            "'{item}' is not a CPU, a range like 0-3 or a range with a step like 0-7:2"
        ));
    }
    digits.parse().map_err(|_| format!("CPU {digits} is past {MAX_CPU}"))
}

#[cfg(test)]
mod tests {
    use super::{format_cpu_list, parse_cpu_list};

    #[test]
    fn reads_redis_cpu_lists() {
        assert_eq!(parse_cpu_list("1"), Ok(vec![1]));
        assert_eq!(parse_cpu_list("0-3"), Ok(vec![0, 1, 2, 3]));
        assert_eq!(parse_cpu_list("0-7:2"), Ok(vec![0, 2, 4, 6]));
        assert_eq!(parse_cpu_list("1,10-11"), Ok(vec![1, 10, 11]));
        assert_eq!(parse_cpu_list("3, 1-3"), Ok(vec![3, 1, 2]));
        assert_eq!(parse_cpu_list("1023"), Ok(vec![1023]));
    }

    #[test]
    fn refuses_what_is_not_a_cpu_list() {
        for bad in
            ["", "a", "1-", "-1", "3-1", "0-7:0", "0-7:x", "1,,2", "1024", "99999999999999999999"]
        {
            assert!(parse_cpu_list(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn formats_what_it_reads() {
        let cpus = parse_cpu_list("0-6:3,1").unwrap();
        assert_eq!(format_cpu_list(&cpus), "0,3,6,1");
        assert_eq!(parse_cpu_list(&format_cpu_list(&cpus)), Ok(cpus));
    }
}

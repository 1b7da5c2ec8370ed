import XCTest
@testable import XAISlurm

final class SlurmScriptsTests: XCTestCase {
    private func scripts(shards: [Int] = [1, 2, 3], resources: SlurmResources? = nil) throws -> SlurmScripts {
        try SlurmScripts(executable: "/opt/xai/bin/xai", experimentArguments: ["exp.yaml", "--set", "gradcam.x=it's"],
                         workingDirectory: "/home/u/study", logDirectory: "/home/u/study/Outputs/.slurm/exp/logs",
                         jobName: "xai-exp", shardCount: 3, shards: shards,
                         resources: try resources ?? SlurmResources(partition: "cpu", time: "2:00:00", cpusPerTask: 4,
                                                                    extraArguments: ["--mem=8G"]))
    }

    func testShardsScriptIsAJobArrayOfShardRuns() throws {
        XCTAssertEqual(try scripts().shardsScript, """
            #!/bin/sh
            #SBATCH --job-name=xai-exp-shards
            #SBATCH --chdir=/home/u/study
            #SBATCH --output=/home/u/study/Outputs/.slurm/exp/logs/task-%a.out
            #SBATCH --array=0-2
            #SBATCH --partition=cpu
            #SBATCH --time=2:00:00
            #SBATCH --cpus-per-task=4
            #SBATCH --mem=8G
            # Task I computes part I+1 of 3 of the plan into the shared cache (Outputs/.cache);
            # the assemble job writes the manifest and gallery once every part is done. To run one
            # failed part again alone: sbatch --array=I THIS_SCRIPT (re-running `xai slurm` submits
            # every part with work left).
            set -eu
            exec /opt/xai/bin/xai run exp.yaml --set 'gradcam.x=it'\\''s' --shard "$((SLURM_ARRAY_TASK_ID + 1))/3"

            """)
    }

    func testAssembleScriptRunsTheAssembleStep() throws {
        let text = try scripts(resources: SlurmResources()).assembleScript
        XCTAssertEqual(text, """
            #!/bin/sh
            #SBATCH --job-name=xai-exp-assemble
            #SBATCH --chdir=/home/u/study
            #SBATCH --output=/home/u/study/Outputs/.slurm/exp/logs/assemble.out
            # Writes the manifest and gallery from the parts' results, as one `xai run` would.
            set -eu
            exec /opt/xai/bin/xai run exp.yaml --set 'gradcam.x=it'\\''s' --assemble

            """)
    }

    /// Re-submission lists only the shards with work left, as array indices (shard - 1).
    func testArraySpecIsCompact() throws {
        XCTAssertEqual(try scripts(shards: [1, 3]).arraySpec, "0,2")
        XCTAssertEqual(SlurmScripts.ranges([5, 0, 1, 2, 7, 8, 2]), "0-2,5,7-8")
        XCTAssertEqual(SlurmScripts.ranges([]), "")
        XCTAssertTrue(try scripts(shards: [2]).shardsScript.contains("#SBATCH --array=1\n"))
    }

    func testShellWordsSurviveTheShell() throws {
        XCTAssertEqual(ShellWord.quote("a/b.yaml"), "a/b.yaml")
        XCTAssertEqual(ShellWord.quote("my exp.yaml"), "'my exp.yaml'")
        XCTAssertEqual(ShellWord.quote("$(rm -rf x)"), "'$(rm -rf x)'")
        XCTAssertEqual(ShellWord.quote(""), "''")
        // Through a real shell: every word comes back as it went in.
        let words = ["plain", "two words", "it's", "$HOME", "`x`", "a\"b", "*", ""]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf '%s\\n' " + words.map(ShellWord.quote).joined(separator: " ")]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(text, words.map { $0 + "\n" }.joined())
    }

    /// A value with a space, quote or newline would become another `#SBATCH` option or line.
    func testValuesThatWouldEscapeTheirLineAreRefused() {
        for bad in ["gpu normal", "x\n#SBATCH --uid=0", "a'b", "", "$(id)"] {
            XCTAssertThrowsError(try SlurmResources(partition: bad), bad)
        }
        XCTAssertThrowsError(try SlurmResources(cpusPerTask: 0))
        XCTAssertThrowsError(try SlurmResources(extraArguments: ["mem=8G"])) { error in
            XCTAssertTrue("\(error)".contains("one sbatch option"), "\(error)")
        }
        for owned in ["--array=0-9", "--dependency=afterany:1", "-o", "--output=/tmp/x"] {
            XCTAssertThrowsError(try SlurmResources(extraArguments: [owned]), owned) { error in
                XCTAssertTrue("\(error)".contains("sets"), "\(error)")
            }
        }
        XCTAssertThrowsError(try scripts(shards: [4]))
        XCTAssertThrowsError(try SlurmScripts(executable: "/x", experimentArguments: [], workingDirectory: "/my study",
                                              logDirectory: "/l", jobName: "j", shardCount: 1, shards: [1],
                                              resources: SlurmResources()))
    }
}

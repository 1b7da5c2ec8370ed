import XCTest
import XAICore

/// Typed parameter declarations and the reader methods and metrics share.
final class ParameterReaderTests: XCTestCase {
    private enum Shape: String, ParamChoice { case square, disc, ring }
    private struct Failure: Error, Equatable { let parameter: String, detail: String }

    private static let count = Param<Int>("count", default: 3, range: .ints(1, 10), "how many")
    private static let width = Param<Double>("width", default: 0.5, range: .positive, "how wide")
    private static let shape = Param<Shape>("shape", default: .disc, choices: [.square, .disc], "which shape")
    private static let window = Param<IntPair>("window", .intOrPair(.ints(1, 64)), default: IntPair(h: 4, w: 4), "patch")
    private static let levels = Param<[Double]>("levels", .numberList(.unit), default: [0.25, 0.5], "levels")
    private static let specs = [count.spec, width.spec, shape.spec, window.spec, levels.spec]

    private func reader(_ given: [String: ParamValue], ignoring: Set<String> = []) throws -> ParameterReader {
        try ParameterReader(owner: "thing", specs: Self.specs, given: ResolvedParams(given), ignoring: ignoring) {
            Failure(parameter: $0, detail: $1)
        }
    }

    func testDeclarationsBuildTheirSpecs() {
        XCTAssertEqual(Self.count.spec, ParameterSpec("count", .int(.ints(1, 10)), default: .int(3), "how many"))
        XCTAssertEqual(Self.width.spec.defaultValue, .double(0.5))
        XCTAssertEqual(Self.shape.spec.type, .choice(["square", "disc"]), "only the offered cases, in order")
        XCTAssertEqual(Self.window.spec.defaultValue, .int(4), "a square pair is one int")
        XCTAssertEqual(Self.levels.spec.defaultValue, .list([.double(0.25), .double(0.5)]))
        XCTAssertEqual(DisplayParameters.overlayAlpha.spec.role, .display)
    }

    func testReadsDefaultsAndGivenValuesByDeclaration() throws {
        let defaults = try reader([:])
        XCTAssertEqual(try defaults[Self.count], 3)
        XCTAssertEqual(try defaults[Self.shape], .disc)
        XCTAssertEqual(try defaults[Self.window], IntPair(h: 4, w: 4))
        XCTAssertEqual(try defaults[Self.levels], [0.25, 0.5])
        let r = try reader(["count": .int(7), "width": .int(2), "shape": .string("square"), "window": .list([.int(2), .int(8)])])
        XCTAssertEqual(try r[Self.count], 7)
        XCTAssertEqual(try r[Self.width], 2.0, "an integer is normalised to a number")
        XCTAssertEqual(r.params["width"], .double(2))
        XCTAssertEqual(try r[Self.shape], .square)
        XCTAssertEqual(try r[Self.window], IntPair(h: 2, w: 8))
    }

    func testProblemsBecomeTheOwnersErrorNamingTheParameter() throws {
        XCTAssertThrowsError(try reader(["cuont": .int(2)])) {
            XCTAssertEqual($0 as? Failure, Failure(parameter: "cuont", detail:
                "not a parameter of thing; did you mean 'count'? (accepted: count, width, shape, window, levels)"))
        }
        XCTAssertThrowsError(try reader(["count": .int(11)])) {
            XCTAssertEqual($0 as? Failure, Failure(parameter: "count", detail: "11 is out of range; expected an integer [1, 10]"))
        }
        XCTAssertThrowsError(try reader(["shape": .string("ring")])) {
            XCTAssertEqual(($0 as? Failure)?.parameter, "shape")
        }
        XCTAssertThrowsError(try ParameterReader(owner: "none", specs: [], given: ResolvedParams(["x": .int(1)])) {
            Failure(parameter: $0, detail: $1)
        }) {
            XCTAssertEqual(($0 as? Failure)?.detail, "not a parameter of none (it takes no parameters)")
        }
        // A name the caller passes along on purpose is skipped, not an error.
        XCTAssertNoThrow(try reader(["metric": .string("thing")], ignoring: ["metric"]))
        // Reading a declaration the reader was not given is a programming error, reported the same way.
        let other = Param<Int>("other", default: 1, range: .ints(0), "not declared above")
        XCTAssertThrowsError(try reader([:])[other]) {
            XCTAssertEqual(($0 as? Failure)?.parameter, "other")
        }
        let r = try reader([:])
        XCTAssertEqual(r.invalid("count", "too few") as? Failure, Failure(parameter: "count", detail: "too few"))
    }
}

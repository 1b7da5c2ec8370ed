import XCTest
import XAICore

final class TensorTests: XCTestCase {
    func testElementCountRefusesNegativeOverflowingAndHugeShapes() {
        XCTAssertEqual(Shape.elementCount([2, 3, 4]), 24)
        XCTAssertEqual(Shape.elementCount([]), 1)
        XCTAssertNil(Shape.elementCount([2, -1]))
        XCTAssertNil(Shape.elementCount([Int.max / 2, 3]))
        XCTAssertNil(Shape.elementCount([1 << 20, 1 << 20]), "above the 2^31 default limit")
        XCTAssertEqual(Shape.elementCount([1 << 20, 1 << 20], limit: Int.max), 1 << 40)
    }

    func testCheckedCreationRejectsDataShorterThanShape() {
        XCTAssertThrowsError(try Tensor.checked(shape: [2, 2], data: [1, 2, 3])) { error in
            XCTAssertEqual(error as? TensorError, .badShape(shape: [2, 2], count: 3))
        }
        XCTAssertNoThrow(try Tensor.checked(shape: [2, 2], data: [1, 2, 3, 4]))
    }

    func testSliceItemAndConcatenateRoundTrip() {
        let t = Tensor(shape: [3, 2], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(t.itemCount, 2)
        XCTAssertEqual(t.item(1).data, [3, 4])
        XCTAssertEqual(t.slice(batch: 1..<3).shape, [2, 2])
        XCTAssertEqual(Tensor.concatenate([t.item(0), t.slice(batch: 1..<3)]), t)
        XCTAssertEqual(Shape.strides([2, 3, 4]), [12, 4, 1])
    }

    func testMaxAbsDifference() {
        let a = Tensor(shape: [3], data: [1, 2, 3])
        let b = Tensor(shape: [3], data: [1, 2.5, 2])
        XCTAssertEqual(a.maxAbsDifference(b), 1)
    }
}

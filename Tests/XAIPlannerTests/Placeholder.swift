import XCTest


Feature: Two-factor authentication
  Viewers protect their account with an authenticator app on their phone. A stolen password
  is no longer enough, a code works only once, and backup codes get them in when the phone is lost.

  Background:
    Given Ana has an account and is signed in

  Scenario: Turning on two-factor authentication with a QR code
    When Ana scans the QR code with her authenticator app and confirms with the code it shows
    Then two-factor authentication is on
    And she is shown 10 backup codes, once

  Scenario: A wrong code from the app leaves two-factor off
    When Ana scans the QR code with her authenticator app but confirms with a wrong code
    Then the code is refused
    And two-factor authentication is not on

  Scenario: A stolen access token is not enough to turn on two-factor
    When someone holding Ana's access token, but not her password, starts turning on two-factor
    Then they are told the password is wrong
    And two-factor authentication stays off

  Scenario: Signing in asks for a code once two-factor is on
    Given Ana has turned on two-factor authentication
    When Ana signs in with her password
    Then she is asked for a code instead of being signed in
    And with the next code from her app she is signed in

  Scenario: A code cannot be used twice
    Given Ana has turned on two-factor authentication
    And Ana has signed in with a code from her app
    When someone replays the same code
    Then the code is refused
    And Ana's security log shows the rejected replay

  Scenario: The enrollment code cannot be reused to sign in
    Given Ana has turned on two-factor authentication
    When someone signs in with the code Ana used to confirm her app
    Then the code is refused

  Scenario: A phone with a wrong clock gets a hint
    Given Ana has turned on two-factor authentication
    When Ana types a code from a phone whose clock is 90 seconds fast
    Then the code is refused with a hint that her clock is 90 seconds off

  Scenario: Guessing codes is slowed down
    Given Ana has turned on two-factor authentication
    When someone guesses 5 wrong codes within a minute
    Then even the right code has to wait
    But a minute later the next code from her app signs her in

  Scenario: Twenty housemates behind one address all sign in with two-factor within a minute
    Given 20 viewers who share one internet address have turned on two-factor authentication
    When each of them signs in from that address with a code from their app within a minute
    Then all 20 are signed in

  Scenario: Someone's wrong codes on their own account do not block a neighbour at the same address
    Given Ana has turned on two-factor authentication
    And Bruno, who shares Ana's internet address, has turned on two-factor authentication
    When Bruno types 5 wrong codes within a minute
    Then Bruno has to wait before his next code
    But Ana signs in from the same address with a code from her app at once

  Scenario: Ten wrong codes lock two-factor until a backup code is used
    Given Ana has turned on two-factor authentication
    When someone guesses 10 wrong codes over two minutes
    Then codes from her app are refused while two-factor is locked
    But a backup code still signs her in
    And codes from her app work again afterwards
    And Ana's security log shows the lock and the backup code she used

  Scenario: A locked two-factor unlocks by itself after 15 minutes
    Given Ana has turned on two-factor authentication
    When someone guesses 10 wrong codes over two minutes
    Then codes from her app are refused while two-factor is locked
    But 15 minutes later a code from her app signs her in

  Scenario: A backup code works once, however it is typed
    Given Ana has turned on two-factor authentication
    When Ana signs in with a backup code typed in lowercase without the dash
    Then she is signed in
    And the same backup code is refused the next time

  Scenario: Running low on backup codes warns
    Given Ana has turned on two-factor authentication
    When Ana has used 7 of her backup codes
    Then she is told only 3 remain

  Scenario: New backup codes replace the old ones
    Given Ana has turned on two-factor authentication
    When Ana asks for new backup codes
    Then she is shown 10 backup codes she has not seen before
    And her old backup codes no longer work
    And the new ones do

  Scenario: Turning two-factor off needs a code and the password
    Given Ana has turned on two-factor authentication
    When Ana turns two-factor off with a code but the wrong password
    Then two-factor stays on
    When Ana turns two-factor off with a code and her password
    Then signing in needs only her password again

  Scenario: An old sign-in must sign in again before changing two-factor settings
    Given Ana signed in 11 minutes ago
    When Ana starts turning on two-factor authentication
    Then she is asked to sign in again first

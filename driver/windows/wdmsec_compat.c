/*
 * IoCreateDeviceSecure for the mingw-w64 build. <wdmsec.h> maps the name to
 * WdmlibIoCreateDeviceSecure, which the WDK provides in wdmsec.lib; mingw-w64
 * ships no such library, so this file implements it for the SDDL strings the
 * driver uses: "D:P" followed by allow ACEs "(A;;RIGHTS;;;SID)" with RIGHTS
 * from GA GR GW GX and SID one of SY BA AU WD IU BU LS NS. Anything else is
 * STATUS_INVALID_PARAMETER, so an SDDL this code cannot honour never yields
 * an open device. The class GUID (used by the WDK version for per-class
 * registry overrides) is not consulted. The WDK build links wdmsec.lib instead.
 */
#include "ringpipe.h"
#include <wdmsec.h>

#define RP_SDDL_MAX_ACES 8

typedef struct _RP_SID2 {
	UCHAR Revision;
	UCHAR SubAuthorityCount;
	UCHAR Authority[6];
	ULONG SubAuthority[2];
} RP_SID2;

typedef struct _RP_SDDL_SID {
	WCHAR Alias[3];
	RP_SID2 Sid;
} RP_SDDL_SID;

static const RP_SDDL_SID RpSids[] = {
	{ L"SY", { 1, 1, { 0, 0, 0, 0, 0, 5 }, { 18, 0 } } },   /* LocalSystem */
	{ L"BA", { 1, 2, { 0, 0, 0, 0, 0, 5 }, { 32, 544 } } }, /* Administrators */
	{ L"BU", { 1, 2, { 0, 0, 0, 0, 0, 5 }, { 32, 545 } } }, /* Users */
	{ L"AU", { 1, 1, { 0, 0, 0, 0, 0, 5 }, { 11, 0 } } },   /* Authenticated Users */
	{ L"IU", { 1, 1, { 0, 0, 0, 0, 0, 5 }, { 4, 0 } } },    /* Interactive */
	{ L"LS", { 1, 1, { 0, 0, 0, 0, 0, 5 }, { 19, 0 } } },   /* LocalService */
	{ L"NS", { 1, 1, { 0, 0, 0, 0, 0, 5 }, { 20, 0 } } },   /* NetworkService */
	{ L"WD", { 1, 1, { 0, 0, 0, 0, 0, 1 }, { 0, 0 } } },    /* Everyone */
};

typedef struct _RP_ACE {
	ACCESS_MASK Mask;
	const RP_SID2 *Sid;
} RP_ACE;

static BOOLEAN RpSddlTake(PCUNICODE_STRING S, USHORT *At, PCWSTR Text)
{
	USHORT n = 0;

	while (Text[n] != L'\0')
		n++;
	if ((ULONG)*At + n > S->Length / sizeof(WCHAR) ||
	    RtlCompareMemory(S->Buffer + *At, Text, n * sizeof(WCHAR)) != n * sizeof(WCHAR))
		return FALSE;
	*At += n;
	return TRUE;
}

/* Rights are generic ones, mapped with the file object mapping devices use. */
static BOOLEAN RpSddlRights(PCUNICODE_STRING S, USHORT *At, ACCESS_MASK *Mask)
{
	*Mask = 0;
	for (;;) {
		if (RpSddlTake(S, At, L"GA"))
			*Mask |= FILE_ALL_ACCESS;
		else if (RpSddlTake(S, At, L"GR"))
			*Mask |= FILE_GENERIC_READ;
		else if (RpSddlTake(S, At, L"GW"))
			*Mask |= FILE_GENERIC_WRITE;
		else if (RpSddlTake(S, At, L"GX"))
			*Mask |= FILE_GENERIC_EXECUTE;
		else
			return *Mask != 0;
	}
}

static NTSTATUS RpSddlParse(PCUNICODE_STRING S, RP_ACE *Aces, ULONG *Count)
{
	USHORT at = 0;
	ULONG i;

	*Count = 0;
	if (!RpSddlTake(S, &at, L"D:P"))
		return STATUS_INVALID_PARAMETER;
	while (at < S->Length / sizeof(WCHAR)) {
		const RP_SID2 *sid = NULL;
		ACCESS_MASK mask;

		if (*Count == RP_SDDL_MAX_ACES || !RpSddlTake(S, &at, L"(A;;") ||
		    !RpSddlRights(S, &at, &mask) || !RpSddlTake(S, &at, L";;;"))
			return STATUS_INVALID_PARAMETER;
		for (i = 0; i < RTL_NUMBER_OF(RpSids); i++) {
			if (RpSddlTake(S, &at, RpSids[i].Alias)) {
				sid = &RpSids[i].Sid;
				break;
			}
		}
		if (sid == NULL || !RpSddlTake(S, &at, L")"))
			return STATUS_INVALID_PARAMETER;
		Aces[*Count].Mask = mask;
		Aces[*Count].Sid = sid;
		(*Count)++;
	}
	return *Count != 0 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

NTSTATUS WdmlibIoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
				    PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
				    ULONG DeviceCharacteristics, BOOLEAN Exclusive,
				    PCUNICODE_STRING DefaultSDDLString, LPCGUID DeviceClassGuid,
				    PDEVICE_OBJECT *DeviceObject)
{
	RP_ACE aces[RP_SDDL_MAX_ACES];
	SECURITY_DESCRIPTOR sd;
	PACL acl = NULL;
	ULONG count, aclSize, i;
	HANDLE handle;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(DeviceClassGuid);
	*DeviceObject = NULL;
	status = RpSddlParse(DefaultSDDLString, aces, &count);
	if (!NT_SUCCESS(status))
		goto out;
	aclSize = sizeof(ACL);
	for (i = 0; i < count; i++)
		aclSize += sizeof(ACCESS_ALLOWED_ACE) + RtlLengthSid((PSID)aces[i].Sid);
	acl = RpPoolAlloc(aclSize);
	if (acl == NULL) {
		status = STATUS_INSUFFICIENT_RESOURCES;
		goto out;
	}
	status = RtlCreateAcl(acl, aclSize, ACL_REVISION);
	for (i = 0; NT_SUCCESS(status) && i < count; i++)
		status = RtlAddAccessAllowedAce(acl, ACL_REVISION, aces[i].Mask, (PSID)aces[i].Sid);
	if (NT_SUCCESS(status))
		status = RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
	if (NT_SUCCESS(status))
		status = RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE);
	if (!NT_SUCCESS(status))
		goto out_free_acl;

	status = IoCreateDevice(DriverObject, DeviceExtensionSize, DeviceName, DeviceType,
				DeviceCharacteristics, Exclusive, DeviceObject);
	if (!NT_SUCCESS(status))
		goto out_free_acl;
	status = ObOpenObjectByPointer(*DeviceObject, OBJ_KERNEL_HANDLE, NULL, WRITE_DAC, NULL,
				       KernelMode, &handle);
	if (NT_SUCCESS(status)) {
		status = ZwSetSecurityObject(handle, DACL_SECURITY_INFORMATION, &sd);
		ZwClose(handle);
	}
	if (!NT_SUCCESS(status)) {
		IoDeleteDevice(*DeviceObject);
		*DeviceObject = NULL;
	}
out_free_acl:
	RpPoolFree(acl);
out:
	return status;
}

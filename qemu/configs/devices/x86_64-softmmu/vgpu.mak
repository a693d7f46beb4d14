# The lean device set of the vgpu VMs (configure --without-default-devices --with-devices-x86_64=vgpu):
# the pc and q35 machines and what a guest on the vgpu needs, nothing else.

CONFIG_I440FX=y
CONFIG_Q35=y

# Our GPU, the standard VGA for firmware and early boot, and an IOMMU to check DMA through one.
CONFIG_VGPU_PCI=y
CONFIG_VGA_PCI=y
CONFIG_VTD=y

# virtio: disks, network, 9p shares, console, entropy, input
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_SCSI=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_9P=y
CONFIG_VIRTIO_SERIAL=y
CONFIG_VIRTIO_RNG=y
CONFIG_VIRTIO_INPUT=y

# The machines' default NICs (user networking attaches to them), PCIe root ports for q35,
# and isa-debug-exit so a guest test can end QEMU with a status.
CONFIG_E1000_PCI=y
CONFIG_E1000E_PCI_EXPRESS=y
CONFIG_PCIE_PORT=y
CONFIG_ISA_DEBUG=y

# Devices the pc and q35 machines create by default (without -nodefaults they must exist).
CONFIG_PARALLEL=y
CONFIG_VMPORT=y
CONFIG_VMMOUSE=y
